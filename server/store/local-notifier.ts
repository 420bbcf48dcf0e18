/** Events and signals for the embedded store: this process is the only one, so they stay in memory. */
import type { JobEventBody } from '../scheduler/events';
import type { ControlSignal, Notifier } from './types';

export class LocalNotifier implements Notifier {
  private readonly listeners = new Set<(s: ControlSignal) => void>();

  constructor(private readonly sink: ((body: JobEventBody) => void) | null) {}

  async publish(body: JobEventBody): Promise<void> {
    this.sink?.(body);
  }

  async flush(): Promise<void> {}

  async signal(s: ControlSignal): Promise<void> {
    for (const l of this.listeners) l(s);
  }

  onSignal(listener: (s: ControlSignal) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
