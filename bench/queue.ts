/**
 * The queue itself: jobs per second through claim → run → complete with 1, 2 and 4 workers, on the
 * embedded SQLite store and on PostgreSQL (a throwaway cluster on loopback, when PostgreSQL is installed),
 * and enqueue latency (validation + durable insert, what the API does per request) with 1,000 jobs queued.
 * The graph is EmptyLatent → SaveLatent with no-op node implementations, so the figures are the queue's
 * cost (store writes, events, leases), not the nodes'. Workers are WorkerLoops in this one process.
 * Run: `npx tsx bench/queue.ts` (LOOM_BENCH_QUEUE_JOBS=400 jobs per throughput run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { REGISTRY } from '../nodes/registry';
import type { Workflow } from '../nodes/workflow/schema';
import { resolvePaths, type LoomPaths } from '../server/config/paths';
import { Engine } from '../server/scheduler/engine';
import { EventLog } from '../server/scheduler/event-log';
import { createInProcessExecutor } from '../server/scheduler/inprocess-executor';
import { openStore } from '../server/store/open';
import { WorkerLoop } from '../server/worker/worker-loop';
import { pgAvailable, startPostgres, type PgCluster } from '../tests/helpers/postgres';
import { countingRegistry } from '../tests/scheduler/fixtures';
import { figureLog } from './lib/measure';
import { runIfMain } from './lib/measure';

/** the real schemas, node bodies that only hand back well-typed placeholders */
const noopRegistry = countingRegistry().registry;

const graph = (i: number): Workflow => ({
  format: 'latentloom.workflow',
  version: 2,
  nodes: {
    latent: { type: 'EmptyLatentImage', version: 1, params: { width: 64, height: 64, batch_size: 1 }, inputs: {} },
    save: { type: 'SaveLatent', version: 1, params: { filename_prefix: `bench/${i}` }, inputs: { samples: { node: 'latent', output: 'LATENT' } } },
  },
});

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Every accepted job and every outcome is one durable commit, so the disk's flush time bounds these figures. */
function fsyncMs(dir: string): number {
  const file = path.join(dir, 'fsync-probe');
  const fd = fs.openSync(file, 'w');
  const ms: number[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      fs.writeSync(fd, 'x'.repeat(128));
      const t0 = performance.now();
      fs.fdatasyncSync(fd);
      ms.push(performance.now() - t0);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file);
  }
  return percentile(
    ms.sort((a, b) => a - b),
    50,
  );
}

async function throughput(paths: LoomPaths, databaseUrl: string | undefined, workers: number, jobs: number): Promise<number> {
  const events = new EventLog(5000, databaseUrl ? 0 : undefined);
  const handle = await openStore({ databaseUrl, stateDir: databaseUrl ? null : paths.state, events, poolSize: workers + 4 });
  for (let i = 0; i < jobs; i++)
    await handle.store.insertJob({ id: `bench-${i}`, workflow: graph(i), createdAt: new Date().toISOString(), title: 'bench', modelKeys: [] });
  const loops = Array.from(
    { length: workers },
    (_, i) =>
      new WorkerLoop({
        id: `bench-w${i}`,
        store: handle.store,
        notifier: handle.notifier,
        executor: createInProcessExecutor(paths, noopRegistry),
        paths,
        schemas: REGISTRY.schemas,
        leaseMs: 30_000,
        retries: 1,
        pollMs: 50,
        modelBudgetBytes: 1 << 30,
        placement: { stealAfter: 4, stealAfterMs: 60_000 },
        log: () => {},
      }),
  );
  const t0 = performance.now();
  for (const l of loops) l.start();
  for (;;) {
    const c = await handle.store.counts();
    if (c.queued === 0 && c.running === 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(loops.map((l) => l.stop()));
  const done = (await handle.store.listJobs({ status: 'finished', limit: 1000 })).jobs.length;
  await handle.notifier.close();
  await handle.store.close();
  if (done !== Math.min(jobs, 1000)) throw new Error(`queue bench: ${done} of ${jobs} jobs finished`);
  return jobs / seconds;
}

async function enqueueLatency(paths: LoomPaths, databaseUrl: string | null): Promise<{ p50: number; p99: number; max: number }> {
  // no workers: everything stays queued, so the measured enqueues see 1,000+ jobs ahead of them
  const engine = await Engine.open({ paths, databaseUrl, executors: [], registry: noopRegistry });
  try {
    for (let i = 0; i < 1000; i++) await engine.enqueue(graph(i));
    const ms: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t0 = performance.now();
      await engine.enqueue(graph(1000 + i));
      ms.push(performance.now() - t0);
    }
    if ((await engine.queued()).length !== 1500) throw new Error('queue bench: jobs missing from the queue');
    ms.sort((a, b) => a - b);
    return { p50: percentile(ms, 50), p99: percentile(ms, 99), max: ms[ms.length - 1] };
  } finally {
    await engine.close();
  }
}

export async function run() {
  const log = figureLog();
  const jobs = Number(process.env.LOOM_BENCH_QUEUE_JOBS ?? 400);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-bench-queue-'));
  let cluster: PgCluster | null = null;
  try {
    const backends: { name: string; url: () => Promise<string | undefined> }[] = [{ name: 'sqlite', url: async () => undefined }];
    if (pgAvailable) {
      cluster = await startPostgres();
      let n = 0;
      const c = cluster;
      backends.push({ name: 'postgres', url: () => c.createDatabase(`bench_${++n}`) });
    } else console.log('PostgreSQL not installed: PostgreSQL figures skipped');
    console.log(
      `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg()[0].toFixed(1)}, ${jobs} jobs per run, no-op nodes, workers in one process`,
    );
    log.note('fdatasync_p50_ms', fsyncMs(root), 'fdatasync p50 on the state disk (ms)');
    let run = 0;
    for (const b of backends) {
      for (const workers of [1, 2, 4]) {
        const paths = resolvePaths({ root: path.join(root, `t${++run}`) });
        const rate = await throughput(paths, await b.url(), workers, jobs);
        log.note(
          `${b.name}_jobs_per_s_${workers}w`,
          rate,
          `${b.name}: jobs/s through claim → run → complete with ${workers} worker${workers > 1 ? 's' : ''}`,
        );
      }
      const paths = resolvePaths({ root: path.join(root, `e-${b.name}`) });
      const lat = await enqueueLatency(paths, (await b.url()) ?? null);
      log.note(`${b.name}_enqueue_p50_ms`, lat.p50, `${b.name}: enqueue p50 at 1,000+ queued (ms)`);
      log.note(`${b.name}_enqueue_p99_ms`, lat.p99, `${b.name}: enqueue p99 at 1,000+ queued (ms)`);
      log.note(`${b.name}_enqueue_max_ms`, lat.max, `${b.name}: enqueue max at 1,000+ queued (ms)`);
    }
    return { figures: log.figures, lines: log.lines };
  } finally {
    cluster?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, run);
