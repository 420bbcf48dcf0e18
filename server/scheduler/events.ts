/** Progress events, shared by the worker, the queue, the tRPC subscription and the CLI. */
import type { OutputFile, ProgressStage } from '../../nodes/node';

export interface JobError {
  message: string;
  nodeId?: string;
  /** the input or widget at fault, when known */
  input?: string;
}

export type NodeEventBody =
  | { type: 'node.started'; jobId: string; nodeId: string }
  /** files: what the node wrote (an output node's images), present when it wrote any */
  | { type: 'node.cached'; jobId: string; nodeId: string; files?: OutputFile[] }
  | { type: 'node.finished'; jobId: string; nodeId: string; ms: number; files?: OutputFile[] }
  /** stage: what the steps count when it is not sampling, e.g. "loading model" (n of m models ready) */
  | { type: 'node.progress'; jobId: string; nodeId: string; step: number; total: number; preview?: string; stage?: ProgressStage }
  /** something the user should know that did not stop the node (e.g. LoRA keys that matched nothing) */
  | { type: 'node.warning'; jobId: string; nodeId: string; message: string };

export type JobEventBody =
  | NodeEventBody
  | { type: 'job.queued'; jobId: string; position: number }
  | { type: 'job.started'; jobId: string }
  | { type: 'job.finished'; jobId: string; files: OutputFile[]; ms: number }
  | { type: 'job.failed'; jobId: string; error: JobError }
  | { type: 'job.cancelled'; jobId: string };

/** id: strictly increasing across the server's life (seeded from the clock so restarts keep increasing). */
export type JobEvent = JobEventBody & { id: number; time: string };
