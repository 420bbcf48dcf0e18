/** Recent events in a ring buffer plus live subscribers; a subscriber can resume after any buffered id. */
import type { JobEvent, JobEventBody } from './events';

export class EventLog {
  private readonly buffer: JobEvent[] = [];
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private lastId: number;

  constructor(
    private readonly capacity = 5000,
    startId = Date.now() * 1000,
  ) {
    this.lastId = startId;
  }

  publish(body: JobEventBody): JobEvent {
    const event = { ...body, id: this.lastId + 1, time: new Date().toISOString() } as JobEvent;
    this.append(event);
    return event;
  }

  /** Adds an event numbered elsewhere (the shared store's feed, in id order); one already seen is ignored. */
  append(event: JobEvent): void {
    if (event.id <= this.lastId) return;
    this.lastId = event.id;
    // previews can be large: a resuming client needs only the newest one, so older buffered copies drop theirs
    if (event.type === 'node.progress' && event.preview !== undefined) this.dropOlderPreviews();
    this.buffer.push(event);
    if (this.buffer.length > this.capacity) this.buffer.splice(0, this.buffer.length - this.capacity);
    for (const l of this.listeners) l(event);
  }

  private dropOlderPreviews(): void {
    for (let i = this.buffer.length - 1; i >= 0; i--) {
      const e = this.buffer[i];
      if (e.type === 'node.progress' && e.preview !== undefined) {
        const { preview: _dropped, ...rest } = e;
        this.buffer[i] = rest;
        return; // only one buffered event ever holds a preview
      }
    }
  }

  since(afterId: number): JobEvent[] {
    return this.buffer.filter((e) => e.id > afterId);
  }

  /** Buffered events after `afterId`, then live ones, until the signal aborts. */
  async *subscribe(afterId: number | null, signal?: AbortSignal): AsyncGenerator<JobEvent> {
    const queue: JobEvent[] = afterId === null ? [] : this.since(afterId);
    let wake: (() => void) | null = null;
    const listener = (e: JobEvent) => {
      queue.push(e);
      wake?.();
    };
    this.listeners.add(listener);
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      while (!signal?.aborted) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      this.listeners.delete(listener);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
