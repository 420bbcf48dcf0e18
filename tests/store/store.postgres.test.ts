import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JobEvent } from '../../server/scheduler/events';
import { StoreUnavailableError } from '../../server/store/errors';
import { sql } from 'kysely';
import type { KyselyJobStore } from '../../server/store/kysely-store';
import { openPostgres } from '../../server/store/postgres';
import { describePostgres, startPostgres, type PgCluster } from '../helpers/postgres';
import { eventually, newJob, opts, storeContract, worker, type Opened } from './store-contract';

let cluster: PgCluster;
let dbs = 0;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(() => cluster?.stop());

const urls = new WeakMap<Opened, string>();
async function open(shared?: Opened): Promise<Opened> {
  const url = shared ? (urls.get(shared) as string) : await cluster.createDatabase(`t${process.pid}_${++dbs}`);
  const events: JobEvent[] = [];
  const h = await openPostgres({ url, sink: (e) => events.push(e), log: () => {} });
  const opened = { ...h, events };
  urls.set(opened, url);
  return opened;
}

describePostgres('PostgreSQL store', () => {
  storeContract(open);

  it('delivers every process its events in one order, with ids any API process can resume from', async () => {
    const api1 = await open();
    const api2 = await open(api1);
    const job = newJob('fanout');
    await api1.store.insertJob(job);
    const claimed = await api2.store.claim(worker('w'), opts());
    for (let step = 1; step <= 20; step++) void api2.notifier.publish({ type: 'node.progress', jobId: job.id, nodeId: 'k', step, total: 20 });
    await api2.notifier.flush();
    await api2.store.completeJob(claimed?.job.id ?? '', 'w', [], 1);
    for (const h of [api1, api2]) await eventually(() => h.events.some((e) => e.type === 'job.finished'));
    const seq = (h: Opened) =>
      (h.events as JobEvent[]).filter((e) => e.jobId === job.id).map((e) => `${e.id}:${e.type}${e.type === 'node.progress' ? e.step : ''}`);
    expect(seq(api1)).toEqual(seq(api2));
    expect(seq(api1).map((s) => s.split(':')[1])).toEqual([
      'job.queued',
      'job.started',
      ...Array.from({ length: 20 }, (_, i) => `node.progress${i + 1}`),
      'job.finished',
    ]);
    const ids = (api1.events as JobEvent[]).map((e) => e.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    for (const h of [api2, api1]) {
      await h.notifier.close();
      await h.store.close();
    }
  });

  it('signals workers across processes: an insert wakes them in its own transaction; cancel', async () => {
    const a = await open();
    const b = await open(a);
    const seen: string[] = [];
    b.notifier.onSignal((s) => seen.push(s.type === 'cancel' ? `cancel:${s.jobId}` : s.type));
    await a.store.insertJob(newJob('wake'));
    await eventually(() => seen.includes('queued'));
    await a.notifier.signal({ type: 'cancel', jobId: 'j1' });
    await eventually(() => seen.includes('cancel:j1'));
    for (const h of [b, a]) {
      await h.notifier.close();
      await h.store.close();
    }
  });

  it('a connection lost mid-transaction fails that call, never the process', async () => {
    const h = await open();
    const err = await (h.store as KyselyJobStore).db
      .transaction()
      .execute(async (trx) => {
        await sql`select 1`.execute(trx);
        cluster.restart(); // the checked-out connection dies while nobody is reading it
        await new Promise((r) => setTimeout(r, 300));
        await sql`select 1`.execute(trx);
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    await h.notifier.close();
    await h.store.close();
  });

  it('survives a database restart: calls fail as unavailable while it is down, then work again; events resume', async () => {
    const h = await open();
    const before = newJob('before');
    await h.store.insertJob(before);
    cluster.restart();
    // the pool drops dead connections and reconnects; the first call may meet a dead one
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      try {
        await h.store.insertJob(newJob('after'));
        ok = true;
      } catch (e) {
        expect(e).toBeInstanceOf(StoreUnavailableError);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(ok).toBe(true);
    expect((await h.store.getJob(before.id))?.status).toBe('queued');
    const c = await h.store.claim(worker('w'), opts());
    await h.store.completeJob(c?.job.id ?? '', 'w', [], 1);
    await eventually(() => h.events.some((e) => e.type === 'job.finished'), 10_000);
    await h.notifier.close();
    await h.store.close();
  });
});
