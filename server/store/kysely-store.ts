/**
 * The one set of queries both backends run (Kysely compiles them for SQLite or PostgreSQL). Job state
 * changes and the event that announces them commit together: PostgreSQL writes the event row and its
 * NOTIFY in the same transaction; the embedded store hands the event to this process after the commit.
 */
import { sql, type Kysely, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import type { OutputFile } from '../../nodes/node';
import type { Workflow } from '../../nodes/workflow/schema';
import type { JobError, JobEventBody } from '../scheduler/events';
import { JOB_STATUSES, type JobRecord, type JobStatus } from '../scheduler/job';
import { classifyStoreError } from './errors';
import { rankJobs, type Candidate, type Choice } from './placement';
import type { Database, JobsTable } from './schema';
import type {
  ClaimOptions,
  Claimed,
  JobPage,
  JobQuery,
  JobStore,
  LeaseState,
  LibraryEntry,
  NewJob,
  Placement,
  ReapResult,
  StoreKind,
  WorkerAd,
  WorkerStatus,
} from './types';

/** How job events leave a transaction: written inside it (PostgreSQL) or delivered after it commits (embedded). */
export interface TxEvents {
  writeInTx?(trx: Kysely<Database>, body: JobEventBody): Promise<void>;
  afterCommit?(body: JobEventBody): void;
}

type Emit = (body: JobEventBody) => Promise<void>;
type JobRow = Selectable<JobsTable>;

const TERMINAL = ['finished', 'failed', 'cancelled'] as const;
/** how long an insert waits for others to share its commit (LOOM_GROUP_COMMIT_MS; 0: the next turn of the event loop) */
const GROUP_COMMIT_MS = Number(process.env.LOOM_GROUP_COMMIT_MS ?? 4);
/** how many queued jobs a claim looks at to place one */
const CLAIM_WINDOW = 256;

/** The database's clock in milliseconds: leases compare against one clock whichever host writes them. */
export function nowMsExpr(kind: StoreKind): RawBuilder<number> {
  return kind === 'postgres'
    ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`
    : sql<number>`cast(unixepoch('subsec') * 1000 as integer)`;
}

const parseJson = <T>(text: string | null, fallback: T): T => (text === null ? fallback : (JSON.parse(text) as T));
const asStatus = (s: string): JobStatus => {
  if (!(JOB_STATUSES as readonly string[]).includes(s)) throw new Error(`store: job row has unknown status "${s}"`);
  return s as JobStatus;
};
const asPlacement = (s: string | null): Placement | undefined => (s === 'hit' || s === 'miss' || s === 'none' ? s : undefined);

export function rowToJob(r: JobRow): JobRecord {
  const placement = asPlacement(r.placement);
  return {
    id: r.id,
    status: asStatus(r.status),
    workflow: parseJson<Workflow>(r.workflow, {} as Workflow),
    createdAt: r.created_at,
    ...(r.started_at ? { startedAt: r.started_at } : {}),
    ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
    files: parseJson<OutputFile[]>(r.files, []),
    ...(r.error ? { error: parseJson<JobError>(r.error, { message: '' }) } : {}),
    attempts: Number(r.attempts),
    ...(r.worker ? { worker: r.worker } : {}),
    ...(placement ? { placement } : {}),
  };
}

export class KyselyJobStore implements JobStore {
  private readonly now: RawBuilder<number>;

  constructor(
    readonly kind: StoreKind,
    readonly db: Kysely<Database>,
    private readonly events: TxEvents,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.now = nowMsExpr(kind);
  }

  /** Runs a store operation, turning driver failures into StoreFullError / StoreUnavailableError. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw classifyStoreError(e);
    }
  }

  private async tx<T>(fn: (trx: Transaction<Database>, emit: Emit) => Promise<T>): Promise<T> {
    const pending: JobEventBody[] = [];
    const result = await this.run(() =>
      this.db.transaction().execute((trx) =>
        fn(trx, async (body) => {
          if (this.events.writeInTx) await this.events.writeInTx(trx, body);
          else pending.push(body);
        }),
      ),
    );
    for (const body of pending) this.events.afterCommit?.(body);
    return result;
  }

  private async position(trx: Kysely<Database>, seq: number): Promise<number> {
    const r = await trx
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'queued')
      .where('seq', '<=', seq)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * Group commit: inserts asked for in the same turn of the event loop share one transaction, so one durable commit
   * (an fsync, ~5 ms on a plain disk, taken on the calling thread by SQLite) serves a burst of clients instead of
   * one each. Each caller still resolves only once its job is committed; if the shared commit fails, each job is
   * retried alone so one bad job (a duplicate id) does not refuse the others.
   */
  insertJob(job: NewJob): Promise<{ position: number }> {
    return new Promise((resolve, reject) => {
      this.pendingInserts.push({ job, resolve, reject });
      if (this.pendingInserts.length === 1) setTimeout(() => void this.flushInserts(), GROUP_COMMIT_MS);
    });
  }

  private pendingInserts: { job: NewJob; resolve(r: { position: number }): void; reject(e: unknown): void }[] = [];

  private async flushInserts(): Promise<void> {
    const batch = this.pendingInserts.splice(0);
    try {
      const positions = await this.tx(async (trx, emit) => {
        const out: { position: number }[] = [];
        for (const { job } of batch) out.push(await this.insertOne(trx, emit, job));
        return out;
      });
      batch.forEach((b, i) => b.resolve(positions[i]));
    } catch (e) {
      if (batch.length === 1) return batch[0].reject(e);
      for (const b of batch) await this.tx((trx, emit) => this.insertOne(trx, emit, b.job)).then(b.resolve, b.reject);
    }
  }

  private async insertOne(trx: Kysely<Database>, emit: Emit, job: NewJob): Promise<{ position: number }> {
    const { seq } = await trx
      .insertInto('jobs')
      .values({
        id: job.id,
        status: 'queued',
        workflow: JSON.stringify(job.workflow),
        title: job.title,
        model_keys: JSON.stringify(job.modelKeys),
        created_at: job.createdAt,
        enqueued_ms: this.now,
        files: '[]',
        attempts: 0,
        cancel_requested: 0,
      })
      .returning('seq')
      .executeTakeFirstOrThrow();
    const position = await this.position(trx, Number(seq));
    await emit({ type: 'job.queued', jobId: job.id, position });
    return { position };
  }

  getJob(id: string): Promise<JobRecord | undefined> {
    return this.run(async () => {
      const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? rowToJob(row) : undefined;
    });
  }

  listJobs(q: JobQuery = {}): Promise<JobPage> {
    const limit = Math.max(1, Math.min(q.limit ?? 100, 1000));
    return this.run(async () => {
      let query = this.db
        .selectFrom('jobs')
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(limit + 1);
      if (q.status) query = query.where('status', '=', q.status);
      if (q.workflowTitle) {
        const pattern = `%${q.workflowTitle.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        query = query.where(sql<boolean>`lower(title) like ${pattern} escape '\\'`);
      }
      if (q.cursor) {
        const seq = Number(q.cursor);
        if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`bad history cursor "${q.cursor}"`);
        query = query.where('seq', '<', seq);
      }
      const rows = await query.execute();
      const page = rows.slice(0, limit);
      return { jobs: page.map(rowToJob), nextCursor: rows.length > limit ? String(page[page.length - 1].seq) : null };
    });
  }

  queuedJobs(limit = 10_000): Promise<JobRecord[]> {
    return this.run(async () =>
      (await this.db.selectFrom('jobs').selectAll().where('status', '=', 'queued').orderBy('seq').limit(limit).execute()).map(rowToJob),
    );
  }

  counts(): Promise<{ queued: number; running: number }> {
    return this.run(async () => {
      const rows = await this.db
        .selectFrom('jobs')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('status', 'in', ['queued', 'running'])
        .groupBy('status')
        .execute();
      const n = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
      return { queued: n('queued'), running: n('running') };
    });
  }

  async claim(worker: WorkerAd, opts: ClaimOptions): Promise<Claimed | null> {
    // every choice taken by others meanwhile: read the queue again (the winners now hold those checkpoints)
    for (let round = 0; round < 5; round++) {
      const ranked = await this.run(() => this.rank(worker, opts));
      if (ranked.length === 0) return null;
      const claimed = await this.take(worker.id, ranked, opts.leaseMs);
      if (claimed) return claimed;
    }
    return null;
  }

  private async rank(worker: WorkerAd, opts: ClaimOptions): Promise<Choice[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['id', 'model_keys', sql<number>`${this.now} - enqueued_ms`.as('age_ms')])
      .where('status', '=', 'queued')
      .orderBy('seq')
      .limit(CLAIM_WINDOW)
      .execute();
    if (rows.length === 0) return [];
    const candidates: Candidate[] = rows.map((r) => ({ id: r.id, keys: parseJson<string[]>(r.model_keys, []), ageMs: Number(r.age_ms) }));
    const policy = { stealAfter: opts.stealAfter, stealAfterMs: opts.stealAfterMs, fifo: opts.fifo };
    if (opts.fifo) return rankJobs(candidates, new Set(worker.models), [], policy);
    const others = await this.db
      .selectFrom('workers')
      .select(['id', 'models'])
      .where('id', '<>', worker.id)
      .where('heartbeat_ms', '>', sql<number>`${this.now} - ${opts.liveMs}`)
      .execute();
    const running = await this.db
      .selectFrom('jobs')
      .select(['lease_owner', 'model_keys'])
      .where('status', '=', 'running')
      .where('lease_owner', '<>', worker.id)
      .where('lease_expires_ms', '>', this.now)
      .execute();
    const holds = new Map<string, Set<string>>(others.map((w) => [w.id, new Set(parseJson<string[]>(w.models, []))]));
    for (const r of running) {
      if (!r.lease_owner) continue;
      const set = holds.get(r.lease_owner) ?? new Set<string>();
      for (const k of parseJson<string[]>(r.model_keys, [])) set.add(k);
      holds.set(r.lease_owner, set);
    }
    return rankJobs(candidates, new Set(worker.models), [...holds.values()], policy);
  }

  /** Takes the first job of `ranked` still queued and not being taken by another claimer. */
  private take(workerId: string, ranked: readonly Choice[], leaseMs: number): Promise<Claimed | null> {
    const ids = ranked.map((c) => c.id);
    return this.tx(async (trx, emit) => {
      let target: string | undefined;
      if (this.kind === 'postgres') {
        // SKIP LOCKED: rows other claimers are taking right now are passed over, not waited for
        const row = await trx
          .selectFrom('jobs')
          .select('id')
          .where('id', 'in', ids)
          .where('status', '=', 'queued')
          .orderBy(sql`array_position(${ids}::text[], id)`)
          .limit(1)
          .forUpdate()
          .skipLocked()
          .executeTakeFirst();
        target = row?.id;
      } else {
        // one process, one connection: no other claimer can be half-way
        const rows = await trx.selectFrom('jobs').select('id').where('id', 'in', ids).where('status', '=', 'queued').execute();
        const queued = new Set(rows.map((r) => r.id));
        target = ids.find((id) => queued.has(id));
      }
      if (!target) return null;
      const placement = ranked.find((c) => c.id === target)?.placement ?? 'none';
      const row = await trx
        .updateTable('jobs')
        .set((eb) => ({
          status: 'running',
          attempts: eb('attempts', '+', 1),
          lease_owner: workerId,
          lease_expires_ms: sql<number>`${this.now} + ${leaseMs}`,
          started_at: new Date().toISOString(),
          worker: workerId,
          placement,
          cancel_requested: 0,
          error: null,
        }))
        .where('id', '=', target)
        .where('status', '=', 'queued')
        .returningAll()
        .executeTakeFirst();
      if (!row) return null;
      await emit({ type: 'job.started', jobId: target });
      return { job: rowToJob(row), placement };
    });
  }

  renewLease(jobId: string, workerId: string, leaseMs: number): Promise<LeaseState> {
    return this.run(async () => {
      const row = await this.db
        .updateTable('jobs')
        .set({ lease_expires_ms: sql<number>`${this.now} + ${leaseMs}` })
        .where('id', '=', jobId)
        .where('lease_owner', '=', workerId)
        .where('status', '=', 'running')
        .returning('cancel_requested')
        .executeTakeFirst();
      return { held: row !== undefined, cancelRequested: Number(row?.cancel_requested ?? 0) === 1 };
    });
  }

  completeJob(jobId: string, workerId: string, files: OutputFile[], ms: number): Promise<boolean> {
    return this.tx(async (trx, emit) => {
      // still ours if nobody re-claimed it: also after a reaper gave up on us while the store was unreachable
      const r = await trx
        .updateTable('jobs')
        .set({
          status: 'finished',
          files: JSON.stringify(files),
          finished_at: new Date().toISOString(),
          run_ms: ms,
          lease_expires_ms: null,
          error: null,
        })
        .where('id', '=', jobId)
        .where('lease_owner', '=', workerId)
        .where('status', 'in', ['running', 'queued', 'failed'])
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await emit({ type: 'job.finished', jobId, files, ms });
      return true;
    });
  }

  failJob(jobId: string, workerId: string, error: JobError): Promise<boolean> {
    return this.tx(async (trx, emit) => {
      const r = await trx
        .updateTable('jobs')
        .set({ status: 'failed', error: JSON.stringify(error), finished_at: new Date().toISOString(), lease_expires_ms: null })
        .where('id', '=', jobId)
        .where('lease_owner', '=', workerId)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await emit({ type: 'job.failed', jobId, error });
      return true;
    });
  }

  cancelJob(id: string): Promise<'cancelled' | 'requested' | null> {
    return this.tx(async (trx, emit) => {
      const q = await trx
        .updateTable('jobs')
        .set({ status: 'cancelled', finished_at: new Date().toISOString() })
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      if (Number(q.numUpdatedRows) > 0) {
        await emit({ type: 'job.cancelled', jobId: id });
        return 'cancelled';
      }
      const r = await trx.updateTable('jobs').set({ cancel_requested: 1 }).where('id', '=', id).where('status', '=', 'running').executeTakeFirst();
      return Number(r.numUpdatedRows) > 0 ? 'requested' : null;
    });
  }

  markCancelled(jobId: string, workerId: string): Promise<boolean> {
    return this.tx(async (trx, emit) => {
      const r = await trx
        .updateTable('jobs')
        .set({ status: 'cancelled', finished_at: new Date().toISOString(), lease_expires_ms: null })
        .where('id', '=', jobId)
        .where('lease_owner', '=', workerId)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await emit({ type: 'job.cancelled', jobId });
      return true;
    });
  }

  releaseJob(
    jobId: string,
    workerId: string,
    opts: { penalize: boolean; cause: string; maxRetries: number },
  ): Promise<'queued' | 'failed' | 'cancelled' | null> {
    return this.tx(async (trx, emit) => {
      const row = await trx
        .selectFrom('jobs')
        .selectAll()
        .where('id', '=', jobId)
        .where('lease_owner', '=', workerId)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (!row) return null;
      return this.requeueOrFail(trx, emit, row, opts.penalize ? opts.cause : null, opts.maxRetries);
    });
  }

  /** Back to the queue, or failed for good when `cause` (a died worker) has struck more than maxRetries + 1 times. */
  private async requeueOrFail(
    trx: Kysely<Database>,
    emit: Emit,
    row: JobRow,
    cause: string | null,
    maxRetries: number,
  ): Promise<'queued' | 'failed' | 'cancelled'> {
    const same = trx.updateTable('jobs').where('id', '=', row.id).where('status', '=', 'running').where('attempts', '=', row.attempts);
    if (Number(row.cancel_requested) === 1) {
      await same.set({ status: 'cancelled', finished_at: new Date().toISOString(), lease_expires_ms: null }).execute();
      await emit({ type: 'job.cancelled', jobId: row.id });
      return 'cancelled';
    }
    const attempts = Number(row.attempts);
    if (cause !== null && attempts > maxRetries) {
      const error: JobError = {
        message: `${cause}; started ${attempts} time${attempts === 1 ? '' : 's'}, not retried again (retry limit ${maxRetries}, LOOM_JOB_RETRIES).`,
      };
      await same.set({ status: 'failed', error: JSON.stringify(error), finished_at: new Date().toISOString(), lease_expires_ms: null }).execute();
      await emit({ type: 'job.failed', jobId: row.id, error });
      return 'failed';
    }
    // a graceful release does not count as an attempt; a death does (it was counted when claimed)
    await same.set({ status: 'queued', lease_expires_ms: null, attempts: cause === null ? Math.max(0, attempts - 1) : attempts }).execute();
    await emit({ type: 'job.queued', jobId: row.id, position: await this.position(trx, Number(row.seq)) });
    return 'queued';
  }

  async reapExpired(opts: { maxRetries: number; orphansUnless?: readonly string[] }): Promise<ReapResult> {
    const rows = await this.run(() => {
      const q = this.db.selectFrom('jobs').selectAll().where('status', '=', 'running');
      const keep = opts.orphansUnless;
      if (!keep) return q.where('lease_expires_ms', '<', this.now).execute();
      // embedded: this process is the only one, so a running job none of its workers owns was orphaned by a crash
      if (keep.length === 0) return q.execute();
      return q.where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', 'not in', [...keep])])).execute();
    });
    const result: ReapResult = { requeued: [], failed: [], cancelled: [] };
    for (const row of rows) {
      const cause = `Worker ${row.lease_owner ?? '?'} stopped while running this job (its lease expired: process killed, crashed or out of memory)`;
      const outcome = await this.tx(async (trx, emit) => {
        // re-read inside the transaction: the worker may have renewed or finished meanwhile
        const fresh = await trx.selectFrom('jobs').selectAll().where('id', '=', row.id).where('status', '=', 'running').executeTakeFirst();
        if (!fresh || fresh.lease_owner !== row.lease_owner || Number(fresh.attempts) !== Number(row.attempts)) return null;
        if (!opts.orphansUnless && fresh.lease_expires_ms !== null) {
          const live = await trx
            .selectFrom('jobs')
            .select('id')
            .where('id', '=', row.id)
            .where('lease_expires_ms', '>=', this.now)
            .executeTakeFirst();
          if (live) return null;
        }
        return this.requeueOrFail(trx, emit, fresh, cause, opts.maxRetries);
      });
      if (outcome === 'queued') result.requeued.push(row.id);
      else if (outcome === 'failed') result.failed.push(row.id);
      else if (outcome === 'cancelled') result.cancelled.push(row.id);
    }
    return result;
  }

  heartbeat(w: WorkerAd): Promise<void> {
    return this.run(async () => {
      const values = {
        host: w.host,
        pid: w.pid,
        device: w.device,
        free_memory: w.freeMemory,
        models: JSON.stringify(w.models),
        started_at: w.startedAt,
        heartbeat_ms: this.now,
      };
      await this.db
        .insertInto('workers')
        .values({ id: w.id, ...values })
        .onConflict((oc) => oc.column('id').doUpdateSet(values))
        .execute();
    });
  }

  removeWorker(id: string): Promise<void> {
    return this.run(async () => {
      await this.db.deleteFrom('workers').where('id', '=', id).execute();
    });
  }

  pruneWorkers(silentMs: number): Promise<number> {
    return this.run(async () => {
      const r = await this.db.deleteFrom('workers').where('heartbeat_ms', '<', sql<number>`${this.now} - ${silentMs}`).executeTakeFirst();
      return Number(r.numDeletedRows);
    });
  }

  workers(liveMs: number): Promise<WorkerStatus[]> {
    return this.run(async () => {
      const rows = await this.db
        .selectFrom('workers')
        .selectAll()
        .select(sql<number>`${this.now}`.as('db_now'))
        .where('heartbeat_ms', '>', sql<number>`${this.now} - ${liveMs}`)
        .orderBy('id')
        .execute();
      const running = await this.db.selectFrom('jobs').select(['id', 'lease_owner']).where('status', '=', 'running').execute();
      return rows.map((r) => ({
        id: r.id,
        host: r.host,
        pid: Number(r.pid),
        device: r.device,
        freeMemory: Number(r.free_memory),
        models: parseJson<string[]>(r.models, []),
        startedAt: r.started_at,
        heartbeatAt: new Date(Date.now() - (Number(r.db_now) - Number(r.heartbeat_ms))).toISOString(),
        runningJob: running.find((j) => j.lease_owner === r.id)?.id ?? null,
      }));
    });
  }

  pruneHistory(limit: number): Promise<number> {
    return this.run(async () => {
      const cutoff = this.db
        .selectFrom('jobs')
        .select('seq')
        .where('status', 'in', [...TERMINAL])
        .orderBy('seq', 'desc')
        .limit(1)
        .offset(limit);
      const r = await this.db
        .deleteFrom('jobs')
        .where('status', 'in', [...TERMINAL])
        .where('seq', '<=', cutoff)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    });
  }

  deleteHistory(ids: readonly string[] | null): Promise<number> {
    return this.run(async () => {
      if (ids !== null && ids.length === 0) return 0;
      let q = this.db.deleteFrom('jobs').where('status', 'in', [...TERMINAL]);
      if (ids !== null) q = q.where('id', 'in', [...ids]);
      return Number((await q.executeTakeFirst()).numDeletedRows);
    });
  }

  libraryList(): Promise<LibraryEntry[]> {
    return this.run(async () =>
      (await this.db.selectFrom('library').selectAll().orderBy('name').execute()).map((r) => ({
        name: r.name,
        title: r.title,
        nodeCount: Number(r.node_count),
        bytes: Number(r.bytes),
        modified: r.modified,
      })),
    );
  }

  libraryUpsert(e: LibraryEntry): Promise<void> {
    return this.run(async () => {
      const values = { title: e.title, node_count: e.nodeCount, bytes: e.bytes, modified: e.modified };
      await this.db
        .insertInto('library')
        .values({ name: e.name, ...values })
        .onConflict((oc) => oc.column('name').doUpdateSet(values))
        .execute();
    });
  }

  libraryDelete(name: string): Promise<void> {
    return this.run(async () => {
      await this.db.deleteFrom('library').where('name', '=', name).execute();
    });
  }

  async close(): Promise<void> {
    await this.onClose();
    await this.db.destroy();
  }
}
