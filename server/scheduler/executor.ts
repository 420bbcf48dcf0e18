/** Where node execution happens: in this thread (CLI, tests) or in a worker thread (server). */
import type { OutputFile } from '../../nodes/node';
import type { Workflow } from '../../nodes/workflow/schema';
import type { NodeEventBody } from './events';

export interface ExecuteJob {
  id: string;
  workflow: Workflow;
}

export interface Executor {
  /** rejects with JobFailure on a node error, or an AbortError when `signal` aborts */
  run(job: ExecuteJob, emit: (e: NodeEventBody) => void, signal: AbortSignal): Promise<{ files: OutputFile[] }>;
  /** drops loaded models (and cached node outputs) once no job runs here; resolves when that is asked, not done */
  free?(what: FreeRequest): Promise<void>;
  close(): Promise<void>;
}

export interface FreeRequest {
  /** unload every model this executor holds */
  models: boolean;
  /** also forget cached node outputs */
  outputs: boolean;
}

export class JobFailure extends Error {
  constructor(
    message: string,
    readonly nodeId?: string,
    readonly input?: string,
  ) {
    super(message);
    this.name = 'JobFailure';
  }
}

/** The executor itself died under the job (thread crash, out of memory): the job may be retried elsewhere. */
export class WorkerDiedError extends JobFailure {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerDiedError';
  }
}
