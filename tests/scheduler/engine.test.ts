import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Registry } from '../../nodes/registry';
import { resolvePaths } from '../../server/config/paths';
import { Engine } from '../../server/scheduler/engine';
import { WorkflowInvalidError } from '../../server/scheduler/errors';
import { createInProcessExecutor } from '../../server/scheduler/inprocess-executor';
import { Journal } from '../../server/scheduler/journal';
import type { JobRecord } from '../../server/scheduler/job';
import { WorkerDiedError, type Executor } from '../../server/scheduler/executor';
import { openSqlite } from '../../server/store/sqlite';
import { countingRegistry, fakeValue, txt2img } from './fixtures';

/** Every node runs; KSampler takes `steps` ticks of 5 ms, honours the signal each step and reports progress. */
function fakeRunners(opts: { failOnSeed?: number } = {}): Registry {
  return countingRegistry({
    KSampler: async ({ params, ctx }) => {
      if (params.seed === BigInt(opts.failOnSeed ?? -1)) throw new Error('out of memory');
      const steps = Number(params.steps);
      for (let i = 1; i <= steps; i++) {
        ctx.signal.throwIfAborted();
        await new Promise((r) => setTimeout(r, 5));
        ctx.progress(i, steps);
      }
      return { LATENT: fakeValue('LATENT', 'latent') };
    },
    SaveImage: async ({ ctx }) => {
      ctx.recordFile({ path: `${ctx.nodeId}.png`, kind: 'image' });
      return {};
    },
  }).registry;
}

function makeEngine(registry: Registry, root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-engine-'))) {
  const paths = resolvePaths({ root });
  fs.mkdirSync(path.join(paths.models, 'checkpoints'), { recursive: true });
  fs.writeFileSync(path.join(paths.models, 'checkpoints', 'tiny-sd1.safetensors'), '');
  return { engine: new Engine({ paths, registry, executor: createInProcessExecutor(paths, registry) }), root, paths };
}

describe('Engine', () => {
  it('runs jobs in order, reports sampler progress and keeps history with the exact workflow', async () => {
    const { engine } = makeEngine(fakeRunners());
    const a = (await engine.enqueue(txt2img(1), { 'sampler.steps': 3 })).job;
    const b = (await engine.enqueue(txt2img(2))).job;
    await engine.idle();
    expect(await engine.get(a.id)).toMatchObject({ status: 'finished', files: [{ path: 'save.png', kind: 'image', nodeId: 'save' }] });
    expect((await engine.get(a.id))?.workflow.nodes.sampler.params.steps).toBe(3);
    expect((await engine.get(b.id))?.status).toBe('finished');
    const progress = engine.events.since(0).filter((e) => e.type === 'node.progress' && e.jobId === a.id);
    expect(progress.map((e) => (e.type === 'node.progress' ? `${e.step}/${e.total}` : ''))).toEqual(['1/3', '2/3', '3/3']);
    await engine.close();
  });

  it('refuses an invalid workflow before queueing, with every error', async () => {
    const { engine } = makeEngine(fakeRunners());
    const wf = txt2img();
    wf.nodes.ckpt.params.ckpt_name = 'nope.safetensors';
    const err = await engine.enqueue(wf, { 'sampler.cfg': 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowInvalidError);
    expect((err as WorkflowInvalidError).errors.map((e) => e.code).sort()).toEqual(['MODEL_NOT_FOUND', 'VALUE_OUT_OF_RANGE']);
    expect((await engine.list()).jobs).toEqual([]);
    await engine.close();
  });

  it('cancels the running job within a step and removes queued ones', async () => {
    const { engine } = makeEngine(fakeRunners());
    const running = (await engine.enqueue(txt2img(1), { 'sampler.steps': 10_000 })).job;
    const queued = (await engine.enqueue(txt2img(2))).job;
    const after = (await engine.enqueue(txt2img(3))).job;
    while (!engine.events.since(0).some((e) => e.type === 'node.progress')) await new Promise((r) => setTimeout(r, 5));
    expect(await engine.cancel(queued.id)).toBe(true);
    const t0 = Date.now();
    expect(await engine.cancel(running.id)).toBe(true);
    await engine.idle();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect([(await engine.get(running.id))?.status, (await engine.get(queued.id))?.status, (await engine.get(after.id))?.status]).toEqual([
      'cancelled',
      'cancelled',
      'finished',
    ]);
    expect(await engine.cancel(after.id)).toBe(false);
    await engine.close();
  });

  it('a failing node fails its job only; the queue goes on', async () => {
    const { engine } = makeEngine(fakeRunners({ failOnSeed: 13 }));
    const bad = (await engine.enqueue(txt2img(13))).job;
    const good = (await engine.enqueue(txt2img(14))).job;
    await engine.idle();
    expect(await engine.get(bad.id)).toMatchObject({
      status: 'failed',
      error: { nodeId: 'sampler', message: expect.stringContaining('out of memory') },
    });
    expect((await engine.get(good.id))?.status).toBe('finished');
    await engine.close();
  });

  it('imports an old journal on first start: finished jobs stay history, an interrupted one runs again', async () => {
    const { engine, root, paths } = makeEngine(fakeRunners());
    const done = (await engine.enqueue(txt2img(1))).job;
    await engine.idle();
    const doneRecord = await engine.get(done.id);
    await engine.close();
    // the journal an older server left behind: one finished job, one running when it died, one torn line
    fs.rmSync(paths.state, { recursive: true });
    const file = path.join(paths.state, 'journal.jsonl');
    const j = new Journal(file);
    j.append({ t: 'accepted', job: { ...(doneRecord as JobRecord), attempts: 0 } });
    j.append({ t: 'started', id: done.id, at: doneRecord?.startedAt ?? '' });
    j.append({ t: 'finished', id: done.id, at: doneRecord?.finishedAt ?? '', files: doneRecord?.files ?? [] });
    j.append({
      t: 'accepted',
      job: { ...(doneRecord as JobRecord), id: 'interrupted', status: 'queued', files: [], attempts: 0, startedAt: undefined, finishedAt: undefined },
    });
    j.append({ t: 'started', id: 'interrupted', at: new Date().toISOString() });
    j.close();
    fs.appendFileSync(file, '{"t":"accepted","job":{"id":"torn'); // a write cut short by kill -9
    const again = makeEngine(fakeRunners(), root).engine;
    expect((await again.get(done.id))?.status).toBe('finished');
    expect(await again.get('interrupted')).toMatchObject({ status: 'queued', attempts: 1 });
    again.start();
    await again.idle();
    expect(await again.get('interrupted')).toMatchObject({ status: 'finished', attempts: 2 });
    const later = (await again.enqueue(txt2img(9))).job;
    await again.idle();
    await again.close();
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(`${file}.imported`)).toBe(true);
    // restart with a history limit: only the newest terminal jobs are kept
    const limited = new Engine({ paths, executor: createInProcessExecutor(paths, fakeRunners()), historyLimit: 2 });
    expect((await limited.list()).jobs.map((x) => x.id)).toEqual([later.id, 'interrupted']);
    await limited.close();
  });

  it('retries a job whose execution worker died once, then fails it with the cause', async () => {
    const { paths, engine: unused } = makeEngine(fakeRunners());
    await unused.close();
    let runs = 0;
    const dying: Executor = {
      async run() {
        runs++;
        throw new WorkerDiedError('Execution worker stopped: exit code 134');
      },
      async close() {},
    };
    const engine = new Engine({ paths, executor: dying, registry: fakeRunners() });
    const { job } = await engine.enqueue(txt2img(1));
    await engine.idle();
    expect(runs).toBe(2);
    const failed = await engine.get(job.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 2 });
    expect(failed?.error?.message).toMatch(/Execution worker stopped: exit code 134.*started 2 times.*retry limit 1/);
    await engine.close();
  });

  it('a job that took the process down twice fails instead of crash-looping; attempts count every start', async () => {
    const { paths, engine: first } = makeEngine(fakeRunners());
    await first.close();
    // what a crash mid-job leaves: a running job whose owner is gone (claimed straight through the store)
    const crashWhileRunning = async (claimer: string) => {
      const { store, notifier } = await openSqlite({ stateDir: paths.state, sink: null });
      if (claimer === 'w1')
        await store.insertJob({ id: 'poison', workflow: txt2img(1), createdAt: new Date().toISOString(), title: null, modelKeys: [] });
      const claimed = await store.claim(
        { id: claimer, host: 'h', pid: 1, device: 'cpu', freeMemory: 0, models: [], startedAt: '' },
        { leaseMs: 60_000, liveMs: 60_000, stealAfter: 4, stealAfterMs: 60_000 },
      );
      expect(claimed?.job.id).toBe('poison');
      await notifier.close();
      await store.close();
    };
    await crashWhileRunning('w1');
    let runs = 0;
    const counting: Executor = {
      async run() {
        runs++;
        return new Promise(() => {});
      },
      async close() {},
    };
    const second = new Engine({ paths, executor: counting, registry: fakeRunners() });
    expect(await second.get('poison')).toMatchObject({ status: 'queued', attempts: 1 });
    await second.close(); // it never ran here (not started): the next crash comes from the store directly
    await crashWhileRunning('w2');
    const third = new Engine({ paths, executor: counting, registry: fakeRunners() });
    third.start();
    const poison = await third.get('poison');
    expect(poison).toMatchObject({ status: 'failed', attempts: 2 });
    expect(poison?.error?.message).toMatch(/Worker w2 stopped while running this job.*started 2 times/);
    await third.idle();
    expect(runs).toBe(0);
    await third.close();
  });

  it('an in-memory engine (CLI run) stays local even when LOOM_DATABASE_URL is set', async () => {
    const { paths, engine: unused } = makeEngine(fakeRunners());
    await unused.close();
    const saved = process.env.LOOM_DATABASE_URL;
    process.env.LOOM_DATABASE_URL = 'postgres://nobody@127.0.0.1:1/none';
    try {
      const engine = new Engine({ paths, executor: createInProcessExecutor(paths, fakeRunners()), registry: fakeRunners(), durable: false });
      expect(engine.storeKind).toBe('sqlite');
      const { job } = await engine.enqueue(txt2img(3));
      await engine.idle();
      expect((await engine.get(job.id))?.status).toBe('finished');
      await engine.close();
    } finally {
      if (saved === undefined) delete process.env.LOOM_DATABASE_URL;
      else process.env.LOOM_DATABASE_URL = saved;
    }
  });
});
