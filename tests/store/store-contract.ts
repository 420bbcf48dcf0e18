/**
 * The behaviour every store backend must have, as one suite run against SQLite (store.sqlite.test.ts)
 * and PostgreSQL (store.postgres.test.ts).
 */
import { afterEach, expect, it } from 'vitest';
import type { Workflow } from '../../nodes/workflow/schema';
import type { JobEvent, JobEventBody } from '../../server/scheduler/events';
import type { ClaimOptions, StoreHandle, WorkerAd } from '../../server/store/types';

export interface Opened extends StoreHandle {
  /** job events this handle's process received */
  events: (JobEvent | JobEventBody)[];
}
/** `shared`: another handle on the same database (another process), when the backend has one */
export type OpenStore = (shared?: Opened) => Promise<Opened>;

export const wf = (title = 'untitled', pad = 0): Workflow => ({
  format: 'latentloom.workflow',
  version: 2,
  nodes: { l: { type: 'EmptyLatentImage', version: 1, params: { width: 64, height: 64, batch_size: 1, pad: 'x'.repeat(pad) }, inputs: {} } },
  meta: { title },
});
export const worker = (id: string, models: string[] = []): WorkerAd => ({
  id,
  host: 'test',
  pid: 1,
  device: 'cpu',
  freeMemory: 1,
  models,
  startedAt: new Date().toISOString(),
});
export const opts = (o: Partial<ClaimOptions> = {}): ClaimOptions => ({ leaseMs: 60_000, liveMs: 60_000, stealAfter: 4, stealAfterMs: 60_000, ...o });
let n = 0;
export const newJob = (title = 'job', modelKeys: string[] = [], pad = 0) => ({
  id: `job-${++n}-${title}`,
  workflow: wf(title, pad),
  createdAt: new Date().toISOString(),
  title,
  modelKeys,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const types = (events: Opened['events'], jobId: string) => events.filter((e) => e.jobId === jobId).map((e) => e.type);

/** waits until `events` has what `pred` wants (events arrive asynchronously on PostgreSQL) */
export async function eventually(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(10);
  }
}

export function storeContract(open: OpenStore): void {
  const opened: Opened[] = [];
  const track = async (shared?: Opened) => {
    const h = await open(shared);
    opened.push(h);
    return h;
  };
  afterEach(async () => {
    for (const h of opened.splice(0).reverse()) {
      await h.notifier.close();
      await h.store.close();
    }
  });

  it('keeps jobs durable and pages history newest first, filtered by status and title', async () => {
    const { store, events } = await track();
    const ids: string[] = [];
    for (const title of ['Portrait A', 'landscape', 'portrait b', '100% cat', 'other']) {
      const job = newJob(title);
      ids.push(job.id);
      expect(await store.insertJob(job)).toEqual({ position: ids.length });
    }
    await eventually(() => events.filter((e) => e.type === 'job.queued').length === 5);
    expect(await store.getJob(ids[0])).toMatchObject({ id: ids[0], status: 'queued', attempts: 0, files: [], workflow: wf('Portrait A') });
    const p1 = await store.listJobs({ limit: 2 });
    expect(p1.jobs.map((j) => j.id)).toEqual([ids[4], ids[3]]);
    const p2 = await store.listJobs({ limit: 2, cursor: p1.nextCursor });
    const p3 = await store.listJobs({ limit: 2, cursor: p2.nextCursor });
    expect([...p2.jobs, ...p3.jobs].map((j) => j.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(p3.nextCursor).toBeNull();
    expect((await store.listJobs({ workflowTitle: 'PORTRAIT' })).jobs.map((j) => j.id)).toEqual([ids[2], ids[0]]);
    // % and _ are literal characters in the filter, not wildcards
    expect((await store.listJobs({ workflowTitle: '0% c' })).jobs.map((j) => j.id)).toEqual([ids[3]]);
    expect((await store.listJobs({ workflowTitle: '%' })).jobs.map((j) => j.id)).toEqual([ids[3]]);
    expect((await store.listJobs({ status: 'finished' })).jobs).toEqual([]);
    expect((await store.queuedJobs()).map((j) => j.id)).toEqual(ids);
    expect(await store.counts()).toEqual({ queued: 5, running: 0 });
    await expect(store.listJobs({ cursor: 'x' })).rejects.toThrow(/cursor/);
  });

  it('claims in queue order, counts attempts, records the outcome once, with events in order', async () => {
    const { store, events } = await track();
    const a = newJob('a');
    const b = newJob('b');
    await store.insertJob(a);
    await store.insertJob(b);
    const c1 = await store.claim(worker('w1'), opts());
    expect(c1).toMatchObject({ job: { id: a.id, status: 'running', attempts: 1, worker: 'w1', placement: 'none' }, placement: 'none' });
    expect((await store.getJob(a.id))?.startedAt).toBeDefined();
    expect(await store.counts()).toEqual({ queued: 1, running: 1 });
    const files = [{ path: 'latents/a.latent', kind: 'latent' as const, nodeId: 'save' }];
    expect(await store.completeJob(a.id, 'w2', files, 5)).toBe(false); // not the owner
    expect(await store.completeJob(a.id, 'w1', files, 5)).toBe(true);
    expect(await store.completeJob(a.id, 'w1', files, 5)).toBe(false); // recorded once
    expect(await store.getJob(a.id)).toMatchObject({ status: 'finished', files, attempts: 1 });
    const c2 = await store.claim(worker('w1'), opts());
    expect(await store.failJob(c2?.job.id ?? '', 'w1', { message: 'boom', nodeId: 'l' })).toBe(true);
    expect(await store.getJob(b.id)).toMatchObject({ status: 'failed', error: { message: 'boom', nodeId: 'l' } });
    expect(await store.claim(worker('w1'), opts())).toBeNull();
    await eventually(() => types(events, b.id).length === 3);
    expect(types(events, a.id)).toEqual(['job.queued', 'job.started', 'job.finished']);
    expect(types(events, b.id)).toEqual(['job.queued', 'job.started', 'job.failed']);
  });

  it('never hands one job to two concurrent claimers', async () => {
    const first = await track();
    const second = await track(first);
    const ids = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const j = newJob(`c${i}`);
      ids.add(j.id);
      await first.store.insertJob(j);
    }
    const got: string[] = [];
    const claimer = async (h: Opened, id: string) => {
      for (;;) {
        const c = await h.store.claim(worker(id), opts());
        if (!c) return;
        got.push(c.job.id);
        await h.store.completeJob(c.job.id, id, [], 0);
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5].map((i) => claimer(i % 2 ? second : first, `w${i}`)));
    expect(got.length).toBe(30);
    expect(new Set(got)).toEqual(ids);
    expect(await first.store.counts()).toEqual({ queued: 0, running: 0 });
  });

  it('requeues a job whose lease expired, once; the second death fails it with the cause', async () => {
    const { store, events } = await track();
    const job = newJob('poison');
    await store.insertJob(job);
    await store.claim(worker('w1'), opts({ leaseMs: 40 }));
    expect(await store.reapExpired({ maxRetries: 1 })).toEqual({ requeued: [], failed: [], cancelled: [] }); // lease still valid
    await sleep(80);
    expect(await store.reapExpired({ maxRetries: 1 })).toEqual({ requeued: [job.id], failed: [], cancelled: [] });
    expect(await store.getJob(job.id)).toMatchObject({ status: 'queued', attempts: 1 });
    expect(await store.renewLease(job.id, 'w1', 1000)).toEqual({ held: false, cancelRequested: false });
    const again = await store.claim(worker('w2'), opts({ leaseMs: 40 }));
    expect(again?.job.attempts).toBe(2);
    // the first worker comes back with a result: the job is someone else's now
    expect(await store.completeJob(job.id, 'w1', [], 1)).toBe(false);
    await sleep(80);
    expect(await store.reapExpired({ maxRetries: 1 })).toEqual({ requeued: [], failed: [job.id], cancelled: [] });
    const failed = await store.getJob(job.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 2 });
    expect(failed?.error?.message).toMatch(/Worker w2 stopped while running this job.*started 2 times.*retry limit 1/);
    await eventually(() => types(events, job.id).length === 5);
    expect(types(events, job.id)).toEqual(['job.queued', 'job.started', 'job.queued', 'job.started', 'job.failed']);
  });

  it('keeps a result that arrives after the reaper requeued the job, if nobody claimed it meanwhile', async () => {
    const { store } = await track();
    const job = newJob('slow-store');
    await store.insertJob(job);
    await store.claim(worker('w1'), opts({ leaseMs: 30 }));
    await sleep(60);
    await store.reapExpired({ maxRetries: 1 });
    expect(await store.completeJob(job.id, 'w1', [], 3)).toBe(true);
    expect(await store.getJob(job.id)).toMatchObject({ status: 'finished', attempts: 1 });
    expect(await store.claim(worker('w2'), opts())).toBeNull();
  });

  it('renews leases, cancels queued jobs at once and running ones through their worker', async () => {
    const { store, events } = await track();
    const queued = newJob('q');
    const running = newJob('r');
    await store.insertJob(running);
    await store.insertJob(queued);
    await store.claim(worker('w1'), opts({ leaseMs: 200 }));
    expect(await store.renewLease(running.id, 'w1', 60_000)).toEqual({ held: true, cancelRequested: false });
    await sleep(250);
    expect((await store.reapExpired({ maxRetries: 1 })).requeued).toEqual([]); // renewed
    expect(await store.cancelJob(queued.id)).toBe('cancelled');
    expect(await store.cancelJob(running.id)).toBe('requested');
    expect(await store.renewLease(running.id, 'w1', 60_000)).toEqual({ held: true, cancelRequested: true });
    expect(await store.markCancelled(running.id, 'w1')).toBe(true);
    expect(await store.cancelJob(running.id)).toBeNull();
    expect((await store.getJob(queued.id))?.status).toBe('cancelled');
    expect((await store.getJob(running.id))?.status).toBe('cancelled');
    await eventually(() => types(events, running.id).includes('job.cancelled') && types(events, queued.id).includes('job.cancelled'));
  });

  it('gives a job back on shutdown without counting the start; a died executor counts', async () => {
    const { store } = await track();
    const job = newJob('release');
    await store.insertJob(job);
    await store.claim(worker('w1'), opts());
    expect(await store.releaseJob(job.id, 'w1', { penalize: false, cause: 'stopping', maxRetries: 1 })).toBe('queued');
    expect(await store.getJob(job.id)).toMatchObject({ status: 'queued', attempts: 0 });
    await store.claim(worker('w1'), opts());
    expect(await store.releaseJob(job.id, 'w1', { penalize: true, cause: 'thread died', maxRetries: 1 })).toBe('queued');
    await store.claim(worker('w1'), opts());
    expect(await store.releaseJob(job.id, 'w1', { penalize: true, cause: 'thread died', maxRetries: 1 })).toBe('failed');
    expect(await store.getJob(job.id)).toMatchObject({
      status: 'failed',
      attempts: 2,
      error: { message: expect.stringMatching(/^thread died; started 2 times/) },
    });
    expect(await store.releaseJob(job.id, 'w1', { penalize: true, cause: 'x', maxRetries: 1 })).toBeNull();
  });

  it('places a job on the worker that holds its checkpoint, leaves it to that worker, and spreads a backlog', async () => {
    const { store } = await track();
    await store.heartbeat(worker('holder', ['sha-a']));
    await store.heartbeat(worker('idle'));
    const b1 = newJob('b1', ['sha-b']);
    const a1 = newJob('a1', ['sha-a']);
    await store.insertJob(b1);
    await store.insertJob(a1);
    // the holder takes its own checkpoint's job first, though an older one waits
    expect(await store.claim(worker('holder', ['sha-a']), opts())).toMatchObject({ job: { id: a1.id }, placement: 'hit' });
    await store.completeJob(a1.id, 'holder', [], 1);
    const a2 = newJob('a2', ['sha-a']);
    await store.insertJob(a2);
    // an idle worker leaves a2 to the holder and loads b instead
    expect(await store.claim(worker('idle'), opts())).toMatchObject({ job: { id: b1.id }, placement: 'miss' });
    await store.completeJob(b1.id, 'idle', [], 1);
    expect(await store.claim(worker('idle', ['sha-b']), opts())).toBeNull();
    // a backlog for the holder's checkpoint beyond stealAfter per holder is shared
    for (let i = 0; i < 2; i++) await store.insertJob(newJob(`a-more${i}`, ['sha-a']));
    expect(await store.claim(worker('idle', ['sha-b']), opts({ stealAfter: 2 }))).toMatchObject({ job: { id: a2.id }, placement: 'miss' });
    // a worker that stopped sending heartbeats holds nothing
    expect(await store.claim(worker('idle', ['sha-b']), opts({ liveMs: 1, stealAfter: 100 }))).toMatchObject({ placement: 'miss' });
    expect((await store.workers(60_000)).map((w) => [w.id, w.models, w.runningJob !== null])).toEqual([
      ['holder', ['sha-a'], false],
      ['idle', [], true],
    ]);
    await new Promise((r) => setTimeout(r, 30));
    await store.heartbeat(worker('holder', ['sha-a']));
    expect(await store.pruneWorkers(20)).toBe(1); // 'idle' has been silent for longer
    expect((await store.workers(60_000)).map((w) => w.id)).toEqual(['holder']);
  });

  it('prunes the oldest history beyond a limit, never queued or running jobs', async () => {
    const { store } = await track();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const j = newJob(`h${i}`);
      ids.push(j.id);
      await store.insertJob(j);
    }
    for (let i = 0; i < 4; i++) {
      const c = await store.claim(worker('w'), opts());
      await store.completeJob(c?.job.id ?? '', 'w', [], 0);
    }
    await store.claim(worker('w'), opts()); // ids[4] running, ids[5] queued
    expect(await store.pruneHistory(1)).toBe(3);
    expect((await store.listJobs()).jobs.map((j) => [j.id, j.status])).toEqual([
      [ids[5], 'queued'],
      [ids[4], 'running'],
      [ids[3], 'finished'],
    ]);
  });

  it('keeps the workflow library index', async () => {
    const { store } = await track();
    await store.libraryUpsert({ name: 'b', title: 'B', nodeCount: 2, bytes: 10, modified: '2026-01-01T00:00:00.000Z' });
    await store.libraryUpsert({ name: 'a', title: null, nodeCount: 1, bytes: 5, modified: '2026-01-02T00:00:00.000Z' });
    await store.libraryUpsert({ name: 'b', title: 'B2', nodeCount: 3, bytes: 11, modified: '2026-01-03T00:00:00.000Z' });
    expect(await store.libraryList()).toEqual([
      { name: 'a', title: null, nodeCount: 1, bytes: 5, modified: '2026-01-02T00:00:00.000Z' },
      { name: 'b', title: 'B2', nodeCount: 3, bytes: 11, modified: '2026-01-03T00:00:00.000Z' },
    ]);
    await store.libraryDelete('a');
    expect((await store.libraryList()).map((e) => e.name)).toEqual(['b']);
  });
}
