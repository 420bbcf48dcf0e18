/**
 * The engine the API and CLI share: validate → accept (journal) → run one job at a time → history.
 * Jobs accepted before a crash are re-queued on start; a failed node fails its job, never the server.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { REGISTRY, type Registry } from '../../nodes/registry';
import type { SchemaMap } from '../../nodes/schemas';
import { loadAnyWorkflow } from '../../nodes/workflow/load';
import { WorkflowFormatError } from '../../nodes/workflow/migrate';
import type { Workflow } from '../../nodes/workflow/schema';
import type { LoomPaths } from '../config/paths';
import { diskValidationEnv, resolveModelNames } from './environment';
import { WorkflowInvalidError, type ValidationError } from './errors';
import { EventLog } from './event-log';
import { JobFailure, type Executor } from './executor';
import type { JobRecord, JobStatus } from './job';
import { Journal } from './journal';
import { applyOverrides, type Overrides } from './overrides';
import { validateWorkflow } from './validate';

export interface EngineOptions {
  paths: LoomPaths;
  executor: Executor;
  /** the node types (tests add fixture nodes); default: this build's registry */
  registry?: Registry;
  /** false: no journal (CLI in-process runs) */
  durable?: boolean;
  /** finished/failed/cancelled jobs kept across restarts (queued ones are always kept) */
  historyLimit?: number;
}

const DEFAULT_HISTORY_LIMIT = Number(process.env.LOOM_HISTORY_LIMIT ?? 1000);

/** Drops the oldest terminal jobs beyond `limit`; queued jobs are never dropped. */
function keepHistory(jobs: readonly JobRecord[], limit: number): JobRecord[] {
  let drop = jobs.filter((j) => j.status !== 'queued').length - limit;
  return jobs.filter((j) => j.status === 'queued' || drop-- <= 0);
}

export interface Prepared {
  workflow: Workflow | null;
  errors: ValidationError[];
  warnings: string[];
}

export class Engine {
  readonly events = new EventLog();
  private readonly jobs = new Map<string, JobRecord>();
  private readonly order: string[] = [];
  private readonly journal: Journal | null;
  private readonly schemas: SchemaMap;
  private current: { id: string; abort: AbortController } | null = null;
  private pumping = false;
  private closed = false;

  constructor(private readonly opts: EngineOptions) {
    this.schemas = (opts.registry ?? REGISTRY).schemas;
    const file = path.join(opts.paths.state, 'journal.jsonl');
    if (opts.durable === false) {
      this.journal = null;
      return;
    }
    const replayed = Journal.replay(file, (m) => console.warn(m));
    // a job that was running when the process died runs again from the start
    const restored = replayed.map((job): JobRecord => (job.status === 'running' ? { ...job, status: 'queued' } : job));
    const kept = keepHistory(restored, opts.historyLimit ?? DEFAULT_HISTORY_LIMIT);
    for (const job of kept) {
      this.jobs.set(job.id, job);
      this.order.push(job.id);
    }
    if (kept.length > 0) Journal.compact(file, kept);
    this.journal = new Journal(file);
  }

  /** Starts working through jobs restored from the journal. */
  start(): void {
    void this.pump();
  }

  /** Parses any accepted format, applies overrides, resolves renamed models, validates. */
  async prepare(input: unknown, overrides: Overrides = {}): Promise<Prepared> {
    let loaded: { workflow: Workflow; warnings: string[] };
    try {
      loaded = loadAnyWorkflow(input, this.schemas);
    } catch (e) {
      if (!(e instanceof WorkflowFormatError)) throw e;
      const lines = e.issues.length > 0 ? e.issues : [e.message];
      return { workflow: null, warnings: [], errors: lines.map((message) => ({ code: 'INVALID_WORKFLOW', nodeId: null, message })) };
    }
    const applied = applyOverrides(loaded.workflow, overrides, this.schemas);
    const resolved = await resolveModelNames(applied.workflow, this.schemas, this.opts.paths);
    const errors = [...applied.errors, ...validateWorkflow(resolved.workflow, this.schemas, diskValidationEnv(this.opts.paths))];
    return { workflow: resolved.workflow, errors, warnings: [...loaded.warnings, ...resolved.notes] };
  }

  /** Validates and accepts a job; once this returns, the job is on disk. Throws WorkflowInvalidError. */
  async enqueue(input: unknown, overrides: Overrides = {}): Promise<{ job: JobRecord; warnings: string[] }> {
    if (this.closed) throw new Error('Engine is shut down.');
    const prepared = await this.prepare(input, overrides);
    if (!prepared.workflow || prepared.errors.length > 0) throw new WorkflowInvalidError(prepared.errors);
    const job: JobRecord = { id: crypto.randomUUID(), status: 'queued', workflow: prepared.workflow, createdAt: new Date().toISOString(), files: [], attempts: 0 };
    this.journal?.append({ t: 'accepted', job });
    this.jobs.set(job.id, job);
    this.order.push(job.id);
    this.events.publish({ type: 'job.queued', jobId: job.id, position: this.queued().length });
    void this.pump();
    return { job, warnings: prepared.warnings };
  }

  /** Cancels a queued job (removed) or the running one (aborted within one sampler step). */
  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job) return false;
    if (job.status === 'queued') {
      this.finish(id, { status: 'cancelled' });
      return true;
    }
    if (job.status === 'running' && this.current?.id === id) {
      this.current.abort.abort();
      return true;
    }
    return false;
  }

  get(id: string): JobRecord | undefined {
    return this.jobs.get(id);
  }

  list(filter: { status?: JobStatus; limit?: number } = {}): JobRecord[] {
    const out: JobRecord[] = [];
    for (let i = this.order.length - 1; i >= 0 && out.length < (filter.limit ?? 100); i--) {
      const job = this.jobs.get(this.order[i]);
      if (job && (!filter.status || job.status === filter.status)) out.push(job);
    }
    return out;
  }

  queued(): JobRecord[] {
    return this.order.map((id) => this.jobs.get(id) as JobRecord).filter((j) => j.status === 'queued');
  }

  /** Resolves when no job is queued or running. */
  async idle(): Promise<void> {
    while (this.current || this.queued().length > 0) await new Promise((r) => setTimeout(r, 20));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.current?.abort.abort();
    await this.opts.executor.close();
    this.journal?.close();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let next = this.queued()[0]; next && !this.closed; next = this.queued()[0]) await this.runJob(next);
    } finally {
      this.pumping = false;
    }
  }

  private async runJob(job: JobRecord): Promise<void> {
    const abort = new AbortController();
    const startedAt = new Date().toISOString();
    this.current = { id: job.id, abort };
    this.journal?.append({ t: 'started', id: job.id, at: startedAt });
    this.jobs.set(job.id, { ...job, status: 'running', startedAt });
    this.events.publish({ type: 'job.started', jobId: job.id });
    const t0 = performance.now();
    try {
      const { files } = await this.opts.executor.run({ id: job.id, workflow: job.workflow }, (e) => this.events.publish(e), abort.signal);
      this.finish(job.id, { status: 'finished', files }, Math.round(performance.now() - t0));
    } catch (e) {
      if (this.closed) return; // shutting down: the journal still says running, so it resumes next start
      if (abort.signal.aborted) this.finish(job.id, { status: 'cancelled' });
      else this.finish(job.id, { status: 'failed', error: failure(e) });
    } finally {
      this.current = null;
    }
  }

  private finish(id: string, end: Pick<JobRecord, 'status'> & Partial<JobRecord>, ms = 0): void {
    const at = new Date().toISOString();
    const job = { ...(this.jobs.get(id) as JobRecord), ...end, finishedAt: at };
    this.jobs.set(id, job);
    if (end.status === 'finished') {
      this.journal?.append({ t: 'finished', id, at, files: job.files });
      this.events.publish({ type: 'job.finished', jobId: id, files: job.files, ms });
    } else if (end.status === 'failed' && job.error) {
      this.journal?.append({ t: 'failed', id, at, error: job.error });
      this.events.publish({ type: 'job.failed', jobId: id, error: job.error });
    } else {
      this.journal?.append({ t: 'cancelled', id, at });
      this.events.publish({ type: 'job.cancelled', jobId: id });
    }
  }
}

function failure(e: unknown): JobRecord['error'] {
  const message = e instanceof Error ? e.message : String(e);
  if (!(e instanceof JobFailure)) return { message };
  return { message, ...(e.nodeId ? { nodeId: e.nodeId } : {}), ...(e.input ? { input: e.input } : {}) };
}
