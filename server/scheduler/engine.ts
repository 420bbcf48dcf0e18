/**
 * The engine the API and CLI share: validate → accept (durable in the store) → workers claim and run →
 * history. The store is SQLite in the state folder by default (one process; its local workers run the
 * jobs), or PostgreSQL when LOOM_DATABASE_URL is set (any number of API processes and `latentloom worker`
 * processes). A failed node fails its job, never the server; a job whose worker died is retried up to a cap.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { REGISTRY, type Registry } from '../../nodes/registry';
import type { SchemaMap } from '../../nodes/schemas';
import type { LoomPaths } from '../config/paths';
import { databaseUrlFromEnv, openStore } from '../store/open';
import { syncLibraryIndex } from '../store/library-index';
import type { JobPage, JobQuery, LibraryEntry, StoreHandle, WorkerStatus } from '../store/types';
import { withPlacementKeys } from '../worker/model-keys';
import { startReaper } from '../worker/reaper';
import { WorkerLoop } from '../worker/worker-loop';
import { WorkflowInvalidError } from './errors';
import { EventLog } from './event-log';
import type { Executor } from './executor';
import { DEFAULT_MODEL_BUDGET } from './inprocess-executor';
import type { JobRecord } from './job';
import type { Overrides } from './overrides';
import type { Prepared } from './prepare';
import { createPreparer, type PrepareOptions, type Preparer } from './preparer';
import { queueSettingsFromEnv, type QueueSettings } from './queue-settings';

export interface EngineOptions {
  paths: LoomPaths;
  /** runs jobs in this process (one local worker) */
  executor?: Executor;
  /** one local worker per executor; none (and no `executor`): this process only accepts and serves */
  executors?: readonly Executor[];
  /** the node types (tests add fixture nodes); default: this build's registry */
  registry?: Registry;
  /** false: the store lives in memory (CLI in-process runs), even when LOOM_DATABASE_URL is set */
  durable?: boolean;
  /** finished/failed/cancelled jobs kept (queued and running ones are always kept) */
  historyLimit?: number;
  /** postgres://… (default LOOM_DATABASE_URL); null: the embedded store whatever the environment says */
  databaseUrl?: string | null;
  queue?: Partial<QueueSettings>;
  log?: (msg: string) => void;
}

export interface EnqueueOptions {
  /** merged into the workflow's meta (the ComfyUI API keeps the client id and PNG extras there) */
  meta?: Record<string, unknown>;
  /** the job id to use (ComfyUI clients may choose their prompt_id); must not exist yet */
  id?: string;
}

const DEFAULT_HISTORY_LIMIT = Number(process.env.LOOM_HISTORY_LIMIT ?? 10_000);

export type { Prepared };

export class Engine {
  readonly events: EventLog;
  /** resolves once the store is open (migrated, journal imported, orphans requeued); rejects with why it could not */
  readonly ready: Promise<void>;
  readonly settings: QueueSettings;
  private handle: StoreHandle | null = null;
  private loops: WorkerLoop[] = [];
  private readonly schemas: SchemaMap;
  private readonly preparer: Preparer;
  private readonly databaseUrl: string | undefined;
  private readonly log: (msg: string) => void;
  private stopReaper: (() => void) | null = null;
  private started = false;
  private closed = false;

  constructor(private readonly opts: EngineOptions) {
    this.schemas = (opts.registry ?? REGISTRY).schemas;
    this.preparer = createPreparer(this.schemas, opts.paths);
    // an in-memory engine (CLI in-process run) never joins the shared queue, whatever the environment says
    this.databaseUrl = opts.databaseUrl === null || opts.durable === false ? undefined : (opts.databaseUrl ?? databaseUrlFromEnv());
    this.settings = { ...queueSettingsFromEnv(), ...opts.queue };
    this.log = opts.log ?? ((m) => console.warn(m));
    // the shared store numbers events itself (one feed for every API process)
    this.events = this.databaseUrl ? new EventLog(5000, 0) : new EventLog();
    this.ready = this.connect();
    this.ready.catch(() => {}); // reported by every call that needs the store, and by start()
  }

  /** Opens an engine and waits for its store. */
  static async open(opts: EngineOptions): Promise<Engine> {
    const engine = new Engine(opts);
    try {
      await engine.ready;
    } catch (e) {
      await engine.close().catch(() => {});
      throw e;
    }
    return engine;
  }

  get storeKind(): 'sqlite' | 'postgres' {
    return this.databaseUrl ? 'postgres' : 'sqlite';
  }

  private async connect(): Promise<void> {
    const handle = await openStore({
      databaseUrl: this.databaseUrl,
      stateDir: this.opts.durable === false ? null : this.opts.paths.state,
      events: this.events,
      log: this.log,
    });
    this.handle = handle;
    const executors = this.opts.executors ?? (this.opts.executor ? [this.opts.executor] : []);
    const tag = `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
    this.loops = executors.map(
      (executor, i) =>
        new WorkerLoop({
          id: executors.length === 1 ? tag : `${tag}-${i + 1}`,
          store: handle.store,
          notifier: handle.notifier,
          executor,
          paths: this.opts.paths,
          schemas: this.schemas,
          leaseMs: this.settings.leaseMs,
          retries: this.settings.retries,
          pollMs: this.settings.pollMs,
          modelBudgetBytes: DEFAULT_MODEL_BUDGET,
          placement: { stealAfter: this.settings.stealAfter, stealAfterMs: this.settings.stealAfterMs, fifo: this.settings.fifo },
          log: this.log,
        }),
    );
    if (!this.databaseUrl) {
      // embedded: this process is the store's only user, so a job still "running" was cut off by a crash
      const r = await handle.store.reapExpired({ maxRetries: this.settings.retries, orphansUnless: this.loops.map((l) => l.id) });
      for (const id of r.failed) this.log(`job ${id} was running when the server stopped, again: failed (retry limit ${this.settings.retries})`);
    }
    await handle.store.pruneHistory(this.opts.historyLimit ?? DEFAULT_HISTORY_LIMIT);
  }

  private async store() {
    await this.ready;
    if (!this.handle) throw new Error('Engine store is not open.');
    return this.handle;
  }

  /** Starts the local workers (and, on a shared store, the reaper of expired leases). Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.ready.then(
      () => {
        if (this.closed || !this.handle) return;
        for (const loop of this.loops) loop.start();
        if (this.databaseUrl)
          this.stopReaper = startReaper(this.handle, { leaseMs: this.settings.leaseMs, retries: this.settings.retries, log: this.log });
      },
      (e: unknown) => this.log(`engine: store did not open: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  /** Parses any accepted format, applies overrides, resolves renamed models, validates (big workflows off this thread). */
  prepare(input: unknown, overrides: Overrides = {}, opts?: PrepareOptions): Promise<Prepared> {
    return this.preparer.prepare(input, overrides, opts);
  }

  /**
   * Validates and accepts a job; once this returns, the job is durable in the store. Throws
   * WorkflowInvalidError, StoreFullError (disk full: nothing accepted) or StoreUnavailableError.
   */
  async enqueue(input: unknown, overrides: Overrides = {}, opts: EnqueueOptions = {}): Promise<{ job: JobRecord; warnings: string[] }> {
    const { store, notifier } = await this.store();
    if (this.closed) throw new Error('Engine is shut down.');
    const prepared = await this.prepare(input, overrides, { keepInvalid: false });
    if (!prepared.workflow || prepared.errors.length > 0) throw new WorkflowInvalidError(prepared.errors);
    const withMeta = opts.meta ? { ...prepared.workflow, meta: { ...prepared.workflow.meta, ...opts.meta } } : prepared.workflow;
    const { workflow, keys } = withPlacementKeys(withMeta, this.schemas, this.opts.paths);
    const job: JobRecord = {
      id: opts.id ?? crypto.randomUUID(),
      status: 'queued',
      workflow,
      createdAt: new Date().toISOString(),
      files: [],
      attempts: 0,
    };
    await store.insertJob({ id: job.id, workflow, createdAt: job.createdAt, title: workflow.meta?.title ?? null, modelKeys: keys });
    this.start();
    // the shared store wakes workers in the insert's own transaction; workers poll anyway
    if (!this.databaseUrl) void notifier.signal({ type: 'queued' });
    return { job, warnings: prepared.warnings };
  }

  /** Cancels a queued job (removed) or a running one (its worker aborts it within one sampler step). */
  async cancel(id: string): Promise<boolean> {
    const { store, notifier } = await this.store();
    const r = await store.cancelJob(id);
    if (r === 'requested') {
      for (const loop of this.loops) loop.cancel(id);
      void notifier.signal({ type: 'cancel', jobId: id }).catch(() => {});
    }
    return r !== null;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    return (await this.store()).store.getJob(id);
  }

  /** History, newest first: filter by status and/or workflow title, page with the returned cursor. */
  async list(query: JobQuery = {}): Promise<JobPage> {
    return (await this.store()).store.listJobs(query);
  }

  async queued(): Promise<JobRecord[]> {
    return (await this.store()).store.queuedJobs();
  }

  /** Jobs waiting and running, across every worker of the store. */
  async counts(): Promise<{ queued: number; running: number }> {
    return (await this.store()).store.counts();
  }

  /** Forgets finished, failed and cancelled jobs (those listed, or all); output files stay on disk. */
  async deleteHistory(ids: readonly string[] | null): Promise<number> {
    return (await this.store()).store.deleteHistory(ids);
  }

  /**
   * Frees memory in this process's workers once their current job is done: `models` unloads every loaded model,
   * `outputs` also drops cached node outputs (the next run recomputes every node). Workers in other processes are not reached.
   */
  async free(what: { models: boolean; outputs: boolean }): Promise<void> {
    const executors = this.opts.executors ?? (this.opts.executor ? [this.opts.executor] : []);
    await Promise.all(executors.map((e) => e.free?.(what)));
  }

  /** Live workers (local and remote) with the checkpoints they hold. */
  async workers(): Promise<WorkerStatus[]> {
    return (await this.store()).store.workers(this.settings.leaseMs);
  }

  /** The saved-workflow library (index reconciled with the workflows folder), by name. */
  async library(): Promise<LibraryEntry[]> {
    return syncLibraryIndex((await this.store()).store, this.opts.paths.workflows);
  }

  /** Resolves when no job is queued or running. */
  async idle(): Promise<void> {
    const { store } = await this.store();
    for (;;) {
      const c = await store.counts();
      if (c.queued === 0 && c.running === 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops local workers (a running job goes back to the queue, resumed by the next start), closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopReaper?.();
    // stop claiming first, then end the executors so a long node does not hold the shutdown
    const stopping = this.loops.map((l) => l.stop());
    const executors = this.opts.executors ?? (this.opts.executor ? [this.opts.executor] : []);
    await Promise.all(executors.map((e) => e.close()));
    await Promise.all(stopping);
    await this.preparer.close();
    await this.ready.catch(() => {});
    await this.handle?.notifier.close();
    await this.handle?.store.close();
  }
}
