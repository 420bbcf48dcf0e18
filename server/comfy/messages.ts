/**
 * Our job and node events (server/scheduler/events.ts) as ComfyUI's WebSocket messages, in ComfyUI's order:
 * status (queue_remaining, to everyone) whenever the queue changes; then, to the client that queued the prompt,
 * execution_start, execution_cached, executing per node, progress per sampler step (with binary preview frames),
 * executed per output node with its images, and execution_success / execution_error / execution_interrupted followed
 * by executing {node: null}. Jobs queued another way (editor, REST) have no client: only status goes out for them.
 */
import type { JobEvent } from '../scheduler/events';
import { uiOutput } from './files';

/**
 * A message for one client (`to`), or for every client (`to: null`); `status`: the queue changed, every client gets
 * the new queue_remaining (the hub coalesces bursts of these, ws.ts).
 */
export type Outgoing =
  | { kind: 'json'; to: string | null; type: string; data: Record<string, unknown> }
  | { kind: 'binary'; to: string; bytes: Buffer }
  | { kind: 'status' };

/** What routing a job's messages needs to know about it. */
export interface JobInfo {
  clientId: string | null;
  /** node id -> class type, for error and interrupt messages */
  nodeTypes: Record<string, string>;
}

interface JobState extends JobInfo {
  started: boolean;
  cachedSent: boolean;
  pendingCached: string[];
  /** nodes done so far (ComfyUI's `executed` list in error and interrupt messages) */
  done: string[];
  lastNode: string | null;
}

export interface MessageSources {
  /** the job's routing info; null when the job is gone */
  lookup(jobId: string): Promise<JobInfo | null>;
  /** takes server paths out of failure messages */
  scrub(message: string): string;
  now?(): number;
}

/** ComfyUI's binary preview frame: event type 1 (PREVIEW_IMAGE), image type (1 JPEG, 2 PNG), the image bytes. */
export function previewFrame(dataUrl: string): Buffer | null {
  const m = /^data:image\/(png|jpeg);base64,(.+)$/s.exec(dataUrl);
  if (!m) return null;
  const head = Buffer.alloc(8);
  head.writeUInt32BE(1, 0);
  head.writeUInt32BE(m[1] === 'png' ? 2 : 1, 4);
  return Buffer.concat([head, Buffer.from(m[2], 'base64')]);
}

const STATUS: Outgoing = { kind: 'status' };

/** Bounded: a job whose end we never saw (another process's crash) does not pin its state forever. */
const MAX_TRACKED = 10_000;

export class ComfyMessages {
  private readonly jobs = new Map<string, JobState>();

  constructor(private readonly sources: MessageSources) {}

  /** Routing info known at enqueue time, so the first events need no lookup. */
  register(jobId: string, info: JobInfo): void {
    this.track(jobId, { ...info, started: false, cachedSent: false, pendingCached: [], done: [], lastNode: null });
  }

  /** The prompt and node a client's job is running now (sent again when that client reconnects, as ComfyUI does). */
  current(clientId: string): { promptId: string; node: string } | null {
    for (const [id, s] of this.jobs) if (s.clientId === clientId && s.started && s.lastNode !== null) return { promptId: id, node: s.lastNode };
    return null;
  }

  private track(jobId: string, state: JobState): JobState {
    this.jobs.delete(jobId);
    this.jobs.set(jobId, state);
    if (this.jobs.size > MAX_TRACKED) this.jobs.delete(this.jobs.keys().next().value as string);
    return state;
  }

  private async state(jobId: string): Promise<JobState | null> {
    const known = this.jobs.get(jobId);
    if (known) return known;
    const info = await this.sources.lookup(jobId);
    return info ? this.track(jobId, { ...info, started: false, cachedSent: false, pendingCached: [], done: [], lastNode: null }) : null;
  }

  async translate(e: JobEvent): Promise<Outgoing[]> {
    const out: Outgoing[] = [];
    const now = this.sources.now?.() ?? Date.now();
    if (e.type === 'job.queued') {
      // a job given back to the queue (its worker died) starts over
      const s = this.jobs.get(e.jobId);
      if (s) Object.assign(s, { started: false, cachedSent: false, pendingCached: [], done: [], lastNode: null });
      return [STATUS];
    }
    const s = await this.state(e.jobId);
    const to = s?.clientId ?? null;
    const prompt_id = e.jobId;
    const send = (type: string, data: Record<string, unknown>) => {
      if (to !== null) out.push({ kind: 'json', to, type, data: { ...data, prompt_id } });
    };
    // ComfyUI announces every cached node at once, before the first node runs: flush what we collected
    const flushCached = () => {
      if (!s || s.cachedSent) return;
      s.cachedSent = true;
      send('execution_cached', { nodes: s.pendingCached, timestamp: now });
    };
    const end = () => {
      this.jobs.delete(e.jobId);
      if (s?.started) send('executing', { node: null, display_node: null });
    };
    switch (e.type) {
      case 'job.started':
        out.push(STATUS);
        if (s) Object.assign(s, { started: true, cachedSent: false, pendingCached: [], done: [], lastNode: null });
        send('execution_start', { timestamp: now });
        break;
      case 'node.cached':
        if (!s) break;
        s.done.push(e.nodeId);
        if (s.cachedSent) send('execution_cached', { nodes: [e.nodeId], timestamp: now });
        else s.pendingCached.push(e.nodeId);
        if (e.files) {
          const ui = uiOutput(e.files);
          if (ui) {
            flushCached();
            send('executed', { node: e.nodeId, display_node: e.nodeId, output: ui });
          }
        }
        break;
      case 'node.started':
        flushCached();
        if (s) s.lastNode = e.nodeId;
        send('executing', { node: e.nodeId, display_node: e.nodeId });
        break;
      case 'node.progress':
        flushCached();
        // ComfyUI reports sampling steps only: its clients would read a model load as a 0/1 sampler
        if (e.stage) break;
        send('progress', { value: e.step, max: e.total, node: e.nodeId });
        if (to !== null && e.preview) {
          const frame = previewFrame(e.preview);
          if (frame) out.push({ kind: 'binary', to, bytes: frame });
        }
        break;
      case 'node.finished': {
        if (s) s.done.push(e.nodeId);
        const ui = e.files ? uiOutput(e.files) : null;
        if (ui) send('executed', { node: e.nodeId, display_node: e.nodeId, output: ui });
        break;
      }
      case 'node.warning':
        break;
      case 'job.finished':
        flushCached();
        send('execution_success', { timestamp: now });
        out.push(STATUS);
        end();
        break;
      case 'job.failed': {
        flushCached();
        const nodeId = e.error.nodeId ?? s?.lastNode ?? null;
        send('execution_error', {
          node_id: nodeId,
          node_type: nodeId ? (s?.nodeTypes[nodeId] ?? null) : null,
          executed: s?.done ?? [],
          exception_message: this.sources.scrub(e.error.message),
          exception_type: 'RuntimeError',
          traceback: [],
          current_inputs: e.error.input ? { input_name: e.error.input } : {},
          current_outputs: s?.done ?? [],
          timestamp: now,
        });
        out.push(STATUS);
        end();
        break;
      }
      case 'job.cancelled':
        // a queued job that is deleted never started: ComfyUI only updates the queue
        if (s?.started) {
          flushCached();
          const nodeId = s.lastNode;
          send('execution_interrupted', {
            node_id: nodeId,
            node_type: nodeId ? (s.nodeTypes[nodeId] ?? null) : null,
            executed: s.done,
            timestamp: now,
          });
        }
        out.push(STATUS);
        end();
        break;
    }
    return out;
  }

  /** Routing info from a job's workflow. */
  static infoOf(clientId: string | null, nodes: Record<string, { type: string }>): JobInfo {
    return { clientId, nodeTypes: Object.fromEntries(Object.entries(nodes).map(([id, n]) => [id, n.type])) };
  }
}
