/**
 * The store: jobs (queue and history), worker heartbeats and the workflow library index, behind one
 * interface with two backends (SQLite embedded, PostgreSQL shared). Every method that returns has made
 * its change durable; failures are StoreFullError / StoreUnavailableError (errors.ts) or programming errors.
 */
import type { OutputFile } from '../../nodes/node';
import type { Workflow } from '../../nodes/workflow/schema';
import type { JobError, JobEventBody } from '../scheduler/events';
import type { JobRecord, JobStatus } from '../scheduler/job';

export type StoreKind = 'sqlite' | 'postgres';
export type Placement = NonNullable<JobRecord['placement']>;

export interface NewJob {
  id: string;
  workflow: Workflow;
  createdAt: string;
  /** the workflow's title, kept beside it for the history filter */
  title: string | null;
  /** placement keys of the checkpoints it loads (sha256, or `file:<name>` when the hash is not known yet) */
  modelKeys: string[];
}

export interface JobQuery {
  status?: JobStatus;
  /** case-insensitive substring of the workflow title */
  workflowTitle?: string;
  /** from a previous page's nextCursor: continues with older jobs */
  cursor?: string | null;
  limit?: number;
}

export interface JobPage {
  /** newest first */
  jobs: JobRecord[];
  /** null on the last page */
  nextCursor: string | null;
}

/** What a worker advertises in its heartbeat (and when it asks for work). */
export interface WorkerAd {
  id: string;
  host: string;
  pid: number;
  /** the execution provider it was configured with (LOOM_DEVICE) */
  device: string;
  freeMemory: number;
  /** placement keys of the checkpoints it holds loaded, most recently used first */
  models: string[];
  startedAt: string;
}

export interface WorkerStatus extends WorkerAd {
  heartbeatAt: string;
  /** the job it holds a lease on, if any */
  runningJob: string | null;
}

export interface ClaimOptions {
  leaseMs: number;
  /** a worker whose heartbeat is older than this is not counted as holding its models */
  liveMs: number;
  /** an idle worker takes a job for a checkpoint other live workers hold once more than this many such jobs wait per holder */
  stealAfter: number;
  /** ... or once such a job has waited this long */
  stealAfterMs: number;
  /** placement off: plain FIFO (for measuring what placement buys) */
  fifo?: boolean;
}

export interface Claimed {
  job: JobRecord;
  placement: Placement;
}

export interface LeaseState {
  /** false: the lease is gone (reaped after expiry, or the job was re-claimed); stop working on it */
  held: boolean;
  cancelRequested: boolean;
}

export interface ReapResult {
  requeued: string[];
  failed: string[];
  /** cancel had been requested before the worker died */
  cancelled: string[];
}

export interface LibraryEntry {
  name: string;
  title: string | null;
  nodeCount: number;
  bytes: number;
  modified: string;
}

export interface JobStore {
  readonly kind: StoreKind;

  /** Durable once it resolves; `position` is the job's place in the queue (1 = next). */
  insertJob(job: NewJob): Promise<{ position: number }>;
  getJob(id: string): Promise<JobRecord | undefined>;
  listJobs(query?: JobQuery): Promise<JobPage>;
  /** queued jobs in queue order */
  queuedJobs(limit?: number): Promise<JobRecord[]>;
  counts(): Promise<{ queued: number; running: number }>;

  /** Takes the next job for this worker (placement-aware), or null when none is suitable now. */
  claim(worker: WorkerAd, opts: ClaimOptions): Promise<Claimed | null>;
  renewLease(jobId: string, workerId: string, leaseMs: number): Promise<LeaseState>;
  /** true when recorded; false when this worker no longer owns the job (another run owns the result) */
  completeJob(jobId: string, workerId: string, files: OutputFile[], ms: number): Promise<boolean>;
  failJob(jobId: string, workerId: string, error: JobError): Promise<boolean>;
  /** queued: cancelled now; running: flagged, its worker stops it; otherwise null */
  cancelJob(id: string): Promise<'cancelled' | 'requested' | null>;
  markCancelled(jobId: string, workerId: string): Promise<boolean>;
  /**
   * Gives a running job back. penalize: its worker died under it (counts toward the retry cap, then fails
   * with `cause`); otherwise (graceful shutdown) the start is not counted.
   */
  releaseJob(
    jobId: string,
    workerId: string,
    opts: { penalize: boolean; cause: string; maxRetries: number },
  ): Promise<'queued' | 'failed' | 'cancelled' | null>;
  /**
   * Running jobs whose lease expired (their worker died) go back to the queue, or fail once they have been
   * started more than maxRetries + 1 times. `orphansUnless`: also reap every running job whose owner is not
   * listed, whatever its lease (the embedded store, where this process is the only one).
   */
  reapExpired(opts: { maxRetries: number; orphansUnless?: readonly string[] }): Promise<ReapResult>;

  heartbeat(worker: WorkerAd): Promise<void>;
  removeWorker(id: string): Promise<void>;
  /** Forgets workers silent for longer than this (killed ones never say goodbye). */
  pruneWorkers(silentMs: number): Promise<number>;
  workers(liveMs: number): Promise<WorkerStatus[]>;

  /** Keeps the newest `limit` finished/failed/cancelled jobs; queued and running ones are never dropped. */
  pruneHistory(limit: number): Promise<number>;
  /** Forgets finished/failed/cancelled jobs: those listed, or every one (null); queued and running ones stay. Returns how many. */
  deleteHistory(ids: readonly string[] | null): Promise<number>;

  libraryList(): Promise<LibraryEntry[]>;
  libraryUpsert(entry: LibraryEntry): Promise<void>;
  libraryDelete(name: string): Promise<void>;

  close(): Promise<void>;
}

export type ControlSignal = { type: 'queued' } | { type: 'cancel'; jobId: string };

/**
 * Events and control signals between processes. Embedded: in this process. PostgreSQL: an events table
 * plus LISTEN/NOTIFY, so every API process sees every worker's progress with one global event id.
 */
export interface Notifier {
  /** a node or job event, to every API process */
  publish(body: JobEventBody): Promise<void>;
  /** resolves when every publish() so far has been delivered (ordering before a job's final event) */
  flush(): Promise<void>;
  /** to every worker: work is waiting / stop a running job */
  signal(s: ControlSignal): Promise<void>;
  onSignal(listener: (s: ControlSignal) => void): () => void;
  close(): Promise<void>;
}

export interface StoreHandle {
  store: JobStore;
  notifier: Notifier;
}
