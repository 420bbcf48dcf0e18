/**
 * The shared store on PostgreSQL (LOOM_DATABASE_URL): any number of API processes and workers on any
 * hosts. Events go into an `events` table and are announced with NOTIFY, so every API process replays
 * every worker's progress in one global order (the row id is the SSE event id, valid on any API process);
 * control signals (work queued, cancel) reach workers the same way. The LISTEN connection reconnects by
 * itself after a database restart and catches up from the last event it saw.
 */
import os from 'node:os';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { JobEvent, JobEventBody } from '../scheduler/events';
import { classifyStoreError, StoreUnavailableError } from './errors';
import { KyselyJobStore, nowMsExpr } from './kysely-store';
import { migrate } from './migrations/index';
import type { Database } from './schema';
import type { ControlSignal, Notifier, StoreHandle } from './types';

const EVENTS_CHANNEL = 'loom_events';
const CONTROL_CHANNEL = 'loom_control';
/** events kept in the table for clients resuming a stream */
const KEEP_EVENTS = 20_000;
/** an id missing from the middle of the feed is a transaction still committing: wait this long before skipping it */
const GAP_WAIT_MS = 1000;
const POLL_MS = 1000;

// int8 (counts, ids, epoch ms) as numbers: every value we store fits in a double exactly
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PostgresOptions {
  url: string;
  /** where job events go in this process (an API process's EventLog); null for workers */
  sink: ((event: JobEvent) => void) | null;
  /** connections in the pool */
  poolSize?: number;
  log?: (msg: string) => void;
}

async function insertEvent(db: Kysely<Database>, kind: 'postgres', body: JobEventBody): Promise<void> {
  // a job (re)entering the queue also wakes the workers, in the same statement (and transaction)
  const wake =
    body.type === 'job.queued' ? sql`, pg_notify(${CONTROL_CHANNEL}, ${JSON.stringify({ type: 'queued' } satisfies ControlSignal)})` : sql``;
  await sql`with e as (insert into events (job_id, body, created_ms) values (${body.jobId}, ${JSON.stringify(body)}, ${nowMsExpr(kind)}) returning id)
    select pg_notify(${EVENTS_CHANNEL}, id::text)${wake} from e`.execute(db);
}

export async function openPostgres(opts: PostgresOptions): Promise<StoreHandle> {
  const log = opts.log ?? ((m: string) => console.warn(m));
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    types,
    connectionTimeoutMillis: 5000,
    application_name: `latentloom ${os.hostname()}:${process.pid}`,
  });
  // a connection whose server went away emits 'error'; the pool listens only while a client is idle, so a
  // client checked out (mid-transaction) when PostgreSQL restarts would take the process down without this
  pool.on('connect', (client) => client.on('error', () => {}));
  pool.on('error', (e) => log(`store: idle PostgreSQL connection lost (${e.message})`));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrate(db as unknown as Kysely<unknown>, 'postgres');
  } catch (e) {
    await db.destroy();
    const c = classifyStoreError(e);
    throw c instanceof Error && c !== e
      ? c
      : new StoreUnavailableError(`${redact(opts.url)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const notifier = new PgNotifier(db, opts, log);
  await notifier.start();
  const store = new KyselyJobStore('postgres', db, { writeInTx: (trx, body) => insertEvent(trx, 'postgres', body) }, () => notifier.close());
  return { store, notifier };
}

/** postgres://user:secret@host/db → postgres://user:***@host/db, for messages */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

class PgNotifier implements Notifier {
  private readonly listeners = new Set<(s: ControlSignal) => void>();
  private client: pg.Client | null = null;
  private closed = false;
  private chain: Promise<void> = Promise.resolve();
  private lastId = 0;
  private gapSince: number | null = null;
  private draining = false;
  private drainAgain = false;
  private timer: NodeJS.Timeout | null = null;
  private reconnectMs = 250;
  private downLogged = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: PostgresOptions,
    private readonly log: (m: string) => void,
  ) {}

  async start(): Promise<void> {
    if (this.opts.sink) {
      // recent events, so a client resuming a stream on this process finds them
      const max = await this.db
        .selectFrom('events')
        .select((eb) => eb.fn.max<number>('id').as('m'))
        .executeTakeFirst();
      this.lastId = Math.max(0, Number(max?.m ?? 0) - 1000);
      await this.drain(true);
      this.timer = setInterval(() => {
        void this.drain();
        void this.prune();
      }, POLL_MS);
      this.timer.unref();
    }
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.opts.url, types, connectionTimeoutMillis: 5000 });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => {
      if (n.channel === EVENTS_CHANNEL) void this.drain();
      else if (n.channel === CONTROL_CHANNEL && n.payload) this.deliver(JSON.parse(n.payload) as ControlSignal);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CONTROL_CHANNEL}`);
      if (this.opts.sink) await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (e) {
      client.removeAllListeners('end');
      void client.end().catch(() => {});
      if (!this.downLogged) this.log(`store: cannot listen on PostgreSQL (${e instanceof Error ? e.message : String(e)}); retrying`);
      this.downLogged = true;
      this.retry();
      return;
    }
    if (this.downLogged) this.log('store: PostgreSQL listener reconnected');
    this.downLogged = false;
    this.reconnectMs = 250;
    this.client = client;
    // anything announced while we were away: catch up, and let workers look for work
    void this.drain();
    this.deliver({ type: 'queued' });
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.closed) return;
    this.log('store: PostgreSQL listener disconnected; reconnecting');
    this.downLogged = true;
    this.retry();
  }

  private retry(): void {
    if (this.closed) return;
    const t = setTimeout(() => void this.connect(), this.reconnectMs);
    t.unref();
    this.reconnectMs = Math.min(this.reconnectMs * 2, 5000);
  }

  /** Delivers stored events after lastId in order; a hole (an insert still committing) is waited for briefly. */
  private async drain(initial = false): Promise<void> {
    const sink = this.opts.sink;
    if (!sink || this.closed) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        const rows = await this.db
          .selectFrom('events')
          .select(['id', 'body', 'created_ms'])
          .where('id', '>', this.lastId)
          .orderBy('id')
          .limit(1000)
          .execute();
        for (const r of rows) {
          const id = Number(r.id);
          if (!initial && id !== this.lastId + 1) {
            this.gapSince ??= Date.now();
            if (Date.now() - this.gapSince < GAP_WAIT_MS) {
              setTimeout(() => void this.drain(), 50).unref();
              break;
            }
          }
          this.gapSince = null;
          this.lastId = id;
          sink({ ...(JSON.parse(r.body) as JobEventBody), id, time: new Date(Number(r.created_ms)).toISOString() } as JobEvent);
        }
        if (rows.length === 1000) this.drainAgain = true;
      } while (this.drainAgain && !this.closed);
    } catch (e) {
      const c = classifyStoreError(e);
      if (!(c instanceof StoreUnavailableError)) this.log(`store: reading events failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.draining = false;
    }
  }

  private async prune(): Promise<void> {
    if (Math.random() > 0.05) return; // every ~20 s per API process is plenty
    await sql`delete from events where id < (select max(id) from events) - ${KEEP_EVENTS}`.execute(this.db).catch(() => {});
  }

  private deliver(s: ControlSignal): void {
    for (const l of this.listeners) l(s);
  }

  publish(body: JobEventBody): Promise<void> {
    // one at a time, so this process's events keep their order in the feed
    this.chain = this.chain
      .then(() => insertEvent(this.db, 'postgres', body))
      .catch((e: unknown) => {
        const c = classifyStoreError(e);
        if (!(c instanceof StoreUnavailableError)) this.log(`store: event not recorded: ${e instanceof Error ? e.message : String(e)}`);
      });
    return this.chain;
  }

  flush(): Promise<void> {
    return this.chain;
  }

  async signal(s: ControlSignal): Promise<void> {
    try {
      await sql`select pg_notify(${CONTROL_CHANNEL}, ${JSON.stringify(s)})`.execute(this.db);
    } catch (e) {
      throw classifyStoreError(e);
    }
  }

  onSignal(listener: (s: ControlSignal) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.listeners.clear();
    await this.chain;
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => {});
  }
}
