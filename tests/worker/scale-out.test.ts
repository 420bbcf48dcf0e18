/**
 * Issue 20's acceptance, with real processes on loopback: one API process (`--workers 0`) and three
 * `latentloom worker` processes sharing a PostgreSQL database and one data folder (shared output).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TRPCClientError } from '@trpc/client';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { client, readEvents, startServer, type ServerProcess } from '../api/server-process';
import { runGolden } from '../helpers/golden';
import { describePostgres, startPostgres, type PgCluster } from '../helpers/postgres';
import { mulberry32 } from '../helpers/prng';
import { dataDirWithModels, decodeWorkflow, latentJob, outputFiles, startWorker, txt2imgWorkflow, type WorkerProcess } from './processes';

let cluster: PgCluster;
let dbs = 0;
let currentDb = '';
const running: { stop(signal?: NodeJS.Signals): Promise<void> }[] = [];
const dirs: string[] = [];
beforeAll(async () => {
  cluster = await startPostgres();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')));
});
afterAll(() => {
  cluster?.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

type Api = ReturnType<typeof client>;
interface Setup {
  dataDir: string;
  server: ServerProcess;
  api: Api;
  workers: WorkerProcess[];
}

/** A fresh database and data folder, one API process, `workers` worker processes (started together). */
async function setup(workers: number, env: Record<string, string> = {}, workerEnv: Record<string, string> = {}): Promise<Setup> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-scale-'));
  dirs.push(dataDir);
  dataDirWithModels(dataDir);
  const url = await cluster.createDatabase(`scale_${process.pid}_${++dbs}`);
  currentDb = url;
  const shared = { LOOM_DATABASE_URL: url, LOOM_POLL_MS: '250', ...env };
  const server = await startServer(dataDir, { env: shared, args: ['--workers', '0'] });
  running.push(server);
  const procs = await Promise.all(Array.from({ length: workers }, (_, i) => startWorker(dataDir, `w${i + 1}`, { ...shared, ...workerEnv })));
  running.push(...procs);
  return { dataDir, server, api: client(server.url), workers: procs };
}

async function allHistory(api: Api): Promise<Awaited<ReturnType<Api['jobs']['history']['query']>>['jobs']> {
  const jobs: Awaited<ReturnType<Api['jobs']['history']['query']>>['jobs'] = [];
  let cursor: string | null = null;
  do {
    const page = await api.jobs.history.query({ limit: 50, cursor });
    jobs.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor);
  return jobs;
}

async function waitFinished(api: Api, ids: readonly string[], ms: number) {
  const want = new Set(ids);
  const deadline = Date.now() + ms;
  for (;;) {
    const jobs = (await allHistory(api)).filter((j) => want.has(j.id));
    if (jobs.length === want.size && jobs.every((j) => j.status === 'finished' || j.status === 'failed' || j.status === 'cancelled')) return jobs;
    if (Date.now() > deadline)
      throw new Error(`jobs not done in time: ${JSON.stringify(jobs.filter((j) => j.status !== 'finished').map((j) => [j.id, j.status]))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** job.finished events per job over the whole stream, from the start */
async function finishedEvents(url: string, count: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  let total = 0;
  await readEvents(url, { lastEventId: '0' }, (e) => {
    if (e.data.type === 'job.finished') {
      seen.set(e.data.jobId, (seen.get(e.data.jobId) ?? 0) + 1);
      total++;
    }
    return total >= count;
  });
  return seen;
}

/** `id:jobId` of the first `count` job.finished events a process streams from the start */
async function finishedIds(url: string, count: number): Promise<string[]> {
  const out: string[] = [];
  await readEvents(url, { lastEventId: '0' }, (e) => {
    if (e.data.type === 'job.finished') out.push(`${e.id}:${e.data.jobId}`);
    return out.length >= count;
  });
  return out;
}

const suite = runGolden ? describePostgres : describePostgres.skip;

suite('scale-out: one API process, three workers, PostgreSQL', () => {
  it('runs 200 jobs across 3 workers: each finishes exactly once, outputs served by the API, history complete', async () => {
    const { dataDir, server, api, workers } = await setup(3);
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const got = await Promise.all(Array.from({ length: 20 }, (_, i) => api.jobs.enqueue.mutate({ workflow: latentJob(`b${batch}-${i}`) })));
      ids.push(...got.map((g) => g.id));
    }
    const jobs = await waitFinished(api, ids, 120_000);
    expect(jobs.map((j) => j.status)).toEqual(ids.map(() => 'finished'));
    // history: every job, once, with its worker and one start
    const history = await allHistory(api);
    expect(history.length).toBe(200);
    expect(new Set(history.map((j) => j.id))).toEqual(new Set(ids));
    const perWorker = new Map<string, number>();
    for (const j of history) {
      expect(j.attempts).toBe(1);
      expect(j.files).toHaveLength(1);
      perWorker.set(j.worker ?? '?', (perWorker.get(j.worker ?? '?') ?? 0) + 1);
    }
    expect([...perWorker.keys()].sort()).toEqual(workers.map((w) => w.id));
    console.log(`200 jobs over 3 workers: ${[...perWorker].map(([w, n]) => `${w} ${n}`).join(', ')}`);
    // exactly once: one finished event per job, and one file per job on the shared disk
    const finished = await finishedEvents(server.url, 200);
    expect([...finished.values()].every((n) => n === 1)).toBe(true);
    expect(finished.size).toBe(200);
    // a second API process started afterwards serves the same event feed, with the same ids, and the same files
    const second = await startServer(dataDir, { env: { LOOM_DATABASE_URL: currentDb }, args: ['--workers', '0'] });
    running.push(second);
    // (a process starting up loads the newest 1,000 events of the feed: here about 140 of the 200 job.finished)
    const ids1 = await finishedIds(server.url, 200);
    const ids2 = await finishedIds(second.url, 100);
    const from = ids1.indexOf(ids2[0]);
    expect(from).toBeGreaterThanOrEqual(0);
    expect(ids2).toEqual(ids1.slice(from, from + 100));
    const one = history[0].files[0].path;
    expect((await fetch(`${second.url}/outputs/${one}`)).status).toBe(200);
    expect(outputFiles(dataDir, 'latents')).toHaveLength(200);
    // every output is served by the API process, though workers wrote it
    for (const j of history.slice(0, 200)) {
      const res = await fetch(`${server.url}/outputs/${j.files[0].path}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
  });

  it('kill -9 of a worker mid-sampling: its job finishes on another worker, once; nothing else is lost', async () => {
    const env = { LOOM_LEASE_MS: '2000' };
    const { dataDir, server, api, workers } = await setup(3, env);
    const { id } = await api.jobs.enqueue.mutate({ workflow: txt2imgWorkflow('sd1-a.safetensors', 150, 'victim/img') });
    const others = await Promise.all(Array.from({ length: 6 }, (_, i) => api.jobs.enqueue.mutate({ workflow: latentJob(`other-${i}`) })));
    await readEvents(server.url, { jobId: id, lastEventId: '0' }, (e) => e.data.type === 'node.progress' || e.data.type === 'job.failed');
    const owner = (await api.jobs.get.query({ id })).worker;
    const victim = workers.find((w) => w.id === owner);
    expect(victim, `job runs on ${owner}`).toBeDefined();
    await victim?.stop('SIGKILL');
    const [job] = await waitFinished(api, [id], 120_000);
    expect(job).toMatchObject({ status: 'finished', attempts: 2 });
    expect(job.worker).not.toBe(owner);
    const rest = await waitFinished(
      api,
      others.map((o) => o.id),
      60_000,
    );
    expect(rest.map((j) => j.status)).toEqual(others.map(() => 'finished'));
    const finished = await finishedEvents(server.url, 7);
    expect(finished.get(id)).toBe(1);
    expect(outputFiles(dataDir, 'victim')).toHaveLength(1);
    expect(outputFiles(dataDir, 'latents')).toHaveLength(6);
  });

  it('restart PostgreSQL mid-run: API and workers reconnect and carry on; no accepted job is lost', async () => {
    const { dataDir, server, api } = await setup(3);
    const accepted: string[] = [];
    let n = 0;
    const enqueue = async () => (await api.jobs.enqueue.mutate({ workflow: latentJob(`r${n++}`) })).id;
    // sampling jobs that are still running while the database is down
    const slow = await Promise.all(
      [0, 1, 2].map(async (i) => (await api.jobs.enqueue.mutate({ workflow: txt2imgWorkflow('sd1-a.safetensors', 60 + i, 'slow/img') })).id),
    );
    accepted.push(...slow);
    for (let i = 0; i < 40; i++) accepted.push(await enqueue());
    await readEvents(server.url, { jobId: slow[2], lastEventId: '0' }, (e) => e.data.type === 'node.progress');
    // down while those run: new work is refused with 503 (nothing accepted), running jobs wait to record their result
    cluster.pause();
    for (let i = 0; i < 3; i++) {
      const err = await enqueue().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TRPCClientError);
      expect((err as TRPCClientError<never>).data).toMatchObject({ httpStatus: 503 });
    }
    await new Promise((r) => setTimeout(r, 1500));
    cluster.resume();
    for (let i = 0; i < 40; i++) {
      // the first calls after the restart may still meet a dropped connection: the client retries a 503
      for (let tries = 0; ; tries++) {
        const r = await enqueue().catch((e: unknown) => e);
        if (typeof r === 'string') {
          accepted.push(r);
          break;
        }
        expect((r as TRPCClientError<never>).data, String(r)).toMatchObject({ httpStatus: 503 });
        expect(tries).toBeLessThan(50);
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    const jobs = await waitFinished(api, accepted, 120_000);
    expect(jobs.map((j) => j.status)).toEqual(accepted.map(() => 'finished'));
    // the jobs that were sampling through the outage recorded their result after it, without running again
    expect(jobs.filter((j) => slow.includes(j.id)).map((j) => j.attempts)).toEqual([1, 1, 1]);
    expect(outputFiles(dataDir, 'slow')).toHaveLength(3);
    const finished = await finishedEvents(server.url, accepted.length);
    expect(finished.size).toBe(accepted.length);
    expect([...finished.values()].every((c) => c === 1)).toBe(true);
    expect(outputFiles(dataDir, 'latents')).toHaveLength(accepted.length - 3);
  });

  it('places >= 90 % of a mixed 3-checkpoint workload on a worker that already holds the checkpoint', async () => {
    // a model budget that fits one of these checkpoints per worker, so placement is what keeps them loaded
    const { api, workers } = await setup(3, {}, { LOOM_MODEL_CACHE_MB: '60' });
    const checkpoints = ['sd1-a.safetensors', 'sd1-b.safetensors', 'sdxl.safetensors'];
    const rand = mulberry32(20);
    const order = checkpoints
      .flatMap((c) => Array.from({ length: 30 }, () => c))
      .map((c) => ({ c, r: rand() }))
      .sort((a, b) => a.r - b.r)
      .map((x) => x.c);
    const ids: string[] = [];
    const ckptOf = new Map<string, string>();
    for (const c of order) {
      const { id } = await api.jobs.enqueue.mutate({ workflow: decodeWorkflow(c) });
      ids.push(id);
      ckptOf.set(id, c);
    }
    const jobs = await waitFinished(api, ids, 180_000);
    expect(jobs.map((j) => j.status)).toEqual(ids.map(() => 'finished'));
    const hits = jobs.filter((j) => j.placement === 'hit').length;
    const rate = hits / jobs.length;
    // independent of what workers advertised: with one checkpoint held per worker, a hit is a job whose
    // worker's previous job loaded the same checkpoint
    const byWorker = new Map<string, typeof jobs>();
    for (const j of jobs) byWorker.set(j.worker ?? '?', [...(byWorker.get(j.worker ?? '?') ?? []), j]);
    let sequenceHits = 0;
    for (const list of byWorker.values()) {
      list.sort((a, b) => Date.parse(a.startedAt ?? '') - Date.parse(b.startedAt ?? ''));
      list.forEach((j, i) => {
        const same = i > 0 && ckptOf.get(list[i - 1].id) === ckptOf.get(j.id);
        if (same) sequenceHits++;
        // a recorded hit is always real (a real one may be recorded as a miss while a hash is still being computed)
        if (j.placement === 'hit') expect(same, `job ${i} on ${j.worker}`).toBe(true);
      });
    }
    console.log(
      `placement: ${hits}/${jobs.length} recorded hits (${(rate * 100).toFixed(1)} %), ${sequenceHits} by each worker's sequence, per worker ${[...byWorker].map(([w, l]) => `${w} ${l.length}`).join(', ')}`,
    );
    expect(rate).toBeGreaterThanOrEqual(0.9);
    expect(byWorker.size).toBe(workers.length);
  });

  it('a worker finds a checkpoint by its sha256 under another name in its own models folder', async () => {
    const { dataDir, api } = await setup(0);
    const own = path.join(dataDir, 'worker-models');
    fs.mkdirSync(path.join(own, 'checkpoints'), { recursive: true });
    fs.symlinkSync(
      fs.realpathSync(path.join(dataDir, 'models', 'checkpoints', 'sd1-b.safetensors')),
      path.join(own, 'checkpoints', 'renamed-b.safetensors'),
    );
    expect(await api.jobs.workers.query()).toEqual([]);
    // the API learns the file's hash (here on request; otherwise in the background after its first use)
    const { sha256 } = await api.models.hash.mutate({ folder: 'checkpoints', name: 'sd1-b.safetensors' });
    const { id } = await api.jobs.enqueue.mutate({ workflow: decodeWorkflow('sd1-b.safetensors') });
    const queued = await api.jobs.get.query({ id });
    expect(queued.workflow.nodes.ckpt.models).toEqual({ ckpt_name: { sha256 } });
    const worker = await startWorker(dataDir, 'elsewhere', { LOOM_DATABASE_URL: currentDb, LOOM_POLL_MS: '250' }, ['--models-dir', own]);
    running.push(worker);
    const [job] = await waitFinished(api, [id], 60_000);
    expect(job).toMatchObject({ status: 'finished', worker: 'elsewhere' });
    expect(worker.output()).toMatch(/"sd1-b.safetensors" not found; using "renamed-b.safetensors" \(same sha256\)/);
  });
});
