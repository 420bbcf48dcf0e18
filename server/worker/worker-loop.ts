/**
 * One worker: claims a job from the store, holds its lease (renewed while it runs), runs it through an
 * Executor, records the outcome. The same loop runs inside `latentloom serve` (embedded or shared store)
 * and as `latentloom worker` on any host. A store that is full or unreachable never kills the loop: it
 * waits and retries, and a finished result is kept until it is recorded (never turned into a failure).
 */
import fs from 'node:fs';
import os from 'node:os';
import type { SchemaMap } from '../../nodes/schemas';
import type { Workflow } from '../../nodes/workflow/schema';
import type { LoomPaths } from '../config/paths';
import { cachedSha256Sync } from '../config/hash';
import { resolveModelNames } from '../scheduler/environment';
import { JobFailure, WorkerDiedError, type Executor } from '../scheduler/executor';
import { classifyStoreError, isTransientStoreError } from '../store/errors';
import type { ClaimOptions, Claimed, JobStore, Notifier, WorkerAd } from '../store/types';
import { checkpointPath, checkpointRefs, fileKey, hashInBackground } from './model-keys';
import { Residency } from './residency';

export interface WorkerLoopOptions {
  id: string;
  store: JobStore;
  notifier: Notifier;
  executor: Executor;
  /** this host's folders: models are looked up here (by name, else by sha256) */
  paths: LoomPaths;
  schemas: SchemaMap;
  leaseMs: number;
  /** a job whose worker died is started at most 1 + retries times */
  retries: number;
  /** how often an idle worker looks for work when no signal arrives */
  pollMs: number;
  modelBudgetBytes: number;
  placement: Omit<ClaimOptions, 'leaseMs' | 'liveMs'>;
  device?: string;
  log?: (msg: string) => void;
}

type StopReason = 'cancel' | 'lost' | 'stop';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class WorkerLoop {
  readonly startedAt = new Date().toISOString();
  private readonly residency: Residency;
  private readonly log: (msg: string) => void;
  private stopping = false;
  private current: { jobId: string; abort: AbortController; reason: StopReason | null } | null = null;
  private wakeUp: (() => void) | null = null;
  /** a wake-up that came while the loop was not idle (e.g. mid-claim): the next idle returns at once */
  private woken = false;
  private done: Promise<void> | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private lastStoreError = '';
  private advertised = '';
  /** jobs this worker ran to the end (finished, failed or cancelled), for tests and logs */
  completed = 0;

  constructor(private readonly opts: WorkerLoopOptions) {
    this.residency = new Residency(opts.modelBudgetBytes);
    this.log = opts.log ?? ((m) => console.warn(m));
  }

  get id(): string {
    return this.opts.id;
  }

  get busy(): boolean {
    return this.current !== null;
  }

  ad(): WorkerAd {
    // hashes finished in the background since the file was loaded: jobs keyed by sha256 match it too
    for (const file of this.residency.ids()) {
      const sha256 = cachedSha256Sync(file);
      if (sha256) this.residency.addAlias(file, sha256);
    }
    return {
      id: this.opts.id,
      host: os.hostname(),
      pid: process.pid,
      device: this.opts.device ?? process.env.LOOM_DEVICE ?? 'auto',
      freeMemory: os.freemem(),
      models: this.residency.keys(),
      startedAt: this.startedAt,
    };
  }

  start(): void {
    if (this.done) return;
    this.unsubscribe = this.opts.notifier.onSignal((s) => {
      if (s.type === 'queued') this.wake();
      else if (s.type === 'cancel' && this.current?.jobId === s.jobId) this.stopCurrent('cancel');
    });
    this.heartbeatTimer = setInterval(() => void this.beat(), Math.max(100, Math.floor(this.opts.leaseMs / 3)));
    this.heartbeatTimer.unref();
    this.done = this.loop();
  }

  /** Work may be waiting: look now instead of at the next poll. */
  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    if (w) w();
    else this.woken = true;
  }

  /** Cancels the running job if it is this one (same process as the API). */
  cancel(jobId: string): boolean {
    if (this.current?.jobId !== jobId) return false;
    this.stopCurrent('cancel');
    return true;
  }

  /** Stops claiming; a running job is stopped and given back to the queue (not counted as an attempt). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopCurrent('stop');
    this.wake();
    await this.done;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.unsubscribe?.();
    await this.opts.store.removeWorker(this.opts.id).catch(() => {});
  }

  private stopCurrent(reason: StopReason): void {
    if (!this.current || this.current.reason) return;
    this.current.reason = reason;
    this.current.abort.abort();
  }

  private async beat(): Promise<void> {
    const ad = this.ad();
    try {
      await this.opts.store.heartbeat(ad);
      this.advertised = ad.models.join(',');
    } catch (e) {
      this.storeTrouble('heartbeat', e);
    }
  }

  private storeTrouble(what: string, e: unknown): void {
    const m = message(classifyStoreError(e));
    if (m !== this.lastStoreError) this.log(`worker ${this.opts.id}: ${what}: ${m}`);
    this.lastStoreError = m;
  }

  private async loop(): Promise<void> {
    await this.beat();
    let backoff = 0;
    while (!this.stopping) {
      let claimed: Claimed | null;
      try {
        claimed = await this.opts.store.claim(this.ad(), { ...this.opts.placement, leaseMs: this.opts.leaseMs, liveMs: this.opts.leaseMs });
        backoff = 0;
        if (this.lastStoreError) this.log(`worker ${this.opts.id}: store reachable again`);
        this.lastStoreError = '';
      } catch (e) {
        if (!isTransientStoreError(e)) this.log(`worker ${this.opts.id}: claim failed: ${message(e)}`);
        else this.storeTrouble('claim', e);
        backoff = Math.min(backoff ? backoff * 2 : 250, 5000);
        await this.idle(backoff);
        continue;
      }
      if (!claimed) {
        await this.idle(this.opts.pollMs);
        continue;
      }
      this.woken = false;
      await this.runJob(claimed);
      this.completed++;
      if (this.ad().models.join(',') !== this.advertised) await this.beat();
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.stopping || this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async runJob({ job }: Claimed): Promise<void> {
    const { store, notifier, leaseMs } = this.opts;
    const abort = new AbortController();
    const current = { jobId: job.id, abort, reason: null as StopReason | null };
    this.current = current;
    const renew = setInterval(
      () => {
        store.renewLease(job.id, this.opts.id, leaseMs).then(
          (s) => {
            if (!s.held) this.stopCurrent('lost');
            else if (s.cancelRequested) this.stopCurrent('cancel');
          },
          (e: unknown) => this.storeTrouble('lease renewal', e),
        );
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    const t0 = performance.now();
    try {
      if (this.stopping) throw new Error('worker stopping'); // claimed while stop() began: give it straight back
      // this host's folders: a file missing under the workflow's name is found by its sha256
      const { workflow, notes } = await resolveModelNames(job.workflow, this.opts.schemas, this.opts.paths);
      for (const n of notes) this.log(`worker ${this.opts.id}: job ${job.id}: ${n}`);
      this.hashCheckpoints(workflow);
      const result = await this.opts.executor.run({ id: job.id, workflow }, (e) => void notifier.publish(e), abort.signal);
      this.remember(workflow, job.workflow);
      await notifier.flush();
      const ms = Math.round(performance.now() - t0);
      await this.settle('record finished job', () => store.completeJob(job.id, this.opts.id, result.files, ms));
    } catch (e) {
      await notifier.flush();
      const reason = current.reason ?? (this.stopping ? 'stop' : null);
      if (reason === 'lost') this.log(`worker ${this.opts.id}: lost the lease on job ${job.id}; another worker owns it now`);
      else if (reason === 'cancel') await this.settle('record cancel', () => store.markCancelled(job.id, this.opts.id));
      else if (reason === 'stop')
        await this.settle('give job back', () =>
          store.releaseJob(job.id, this.opts.id, { penalize: false, cause: 'worker stopped', maxRetries: this.opts.retries }),
        );
      else if (e instanceof WorkerDiedError) {
        this.log(`worker ${this.opts.id}: job ${job.id}: ${e.message}`);
        await this.settle('give job back', () =>
          store.releaseJob(job.id, this.opts.id, { penalize: true, cause: e.message, maxRetries: this.opts.retries }),
        );
      } else {
        const error = {
          message: message(e),
          ...(e instanceof JobFailure && e.nodeId ? { nodeId: e.nodeId } : {}),
          ...(e instanceof JobFailure && e.input ? { input: e.input } : {}),
        };
        await this.settle('record failed job', () => store.failJob(job.id, this.opts.id, error));
      }
    } finally {
      clearInterval(renew);
      this.current = null;
    }
  }

  /** Keeps retrying a store write that failed for want of disk or database; gives up only when stopping. */
  private async settle(what: string, op: () => Promise<unknown>): Promise<void> {
    const giveUpAt = () => (this.stopping ? Date.now() + 5000 : Infinity);
    let deadline = giveUpAt();
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      try {
        await op();
        if (this.lastStoreError) this.log(`worker ${this.opts.id}: store writable again`);
        this.lastStoreError = '';
        return;
      } catch (e) {
        if (!isTransientStoreError(e)) {
          this.log(`worker ${this.opts.id}: ${what} failed: ${message(e)}`);
          return;
        }
        this.storeTrouble(what, e);
        if (deadline === Infinity) deadline = giveUpAt();
        if (Date.now() > deadline) return; // shutting down: the lease runs out and the job is retried elsewhere
        await sleep(delay);
      }
    }
  }

  /** Starts hashing (once, cached on disk) checkpoints whose sha256 is not known here, while the job runs. */
  private hashCheckpoints(workflow: Workflow): void {
    for (const ref of checkpointRefs(workflow, this.opts.schemas)) {
      const file = checkpointPath(this.opts.paths, ref.name);
      if (file && !ref.sha256 && !cachedSha256Sync(file) && fs.existsSync(file)) hashInBackground(file);
    }
  }

  /** After a job: the checkpoints it loaded are now held here (under every key a job may use for them). */
  private remember(resolved: Workflow, asQueued: Workflow): void {
    const queuedRefs = checkpointRefs(asQueued, this.opts.schemas);
    checkpointRefs(resolved, this.opts.schemas).forEach((ref, i) => {
      const file = checkpointPath(this.opts.paths, ref.name);
      const st = file ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
      if (!file || !st) return;
      const q = queuedRefs[i];
      const sha256 = ref.sha256 ?? q?.sha256 ?? cachedSha256Sync(file);
      const aliases = [fileKey(ref.name), ...(q && q.name !== ref.name ? [fileKey(q.name)] : []), ...(sha256 ? [sha256] : [])];
      this.residency.touch(file, aliases, st.size);
    });
  }
}
