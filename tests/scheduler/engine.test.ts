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
    expect(engine.get(a.id)).toMatchObject({ status: 'finished', files: [{ path: 'save.png', kind: 'image', nodeId: 'save' }] });
    expect(engine.get(a.id)?.workflow.nodes.sampler.params.steps).toBe(3);
    expect(engine.get(b.id)?.status).toBe('finished');
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
    expect(engine.list()).toEqual([]);
    await engine.close();
  });

  it('cancels the running job within a step and removes queued ones', async () => {
    const { engine } = makeEngine(fakeRunners());
    const running = (await engine.enqueue(txt2img(1), { 'sampler.steps': 10_000 })).job;
    const queued = (await engine.enqueue(txt2img(2))).job;
    const after = (await engine.enqueue(txt2img(3))).job;
    while (!engine.events.since(0).some((e) => e.type === 'node.progress')) await new Promise((r) => setTimeout(r, 5));
    expect(engine.cancel(queued.id)).toBe(true);
    const t0 = Date.now();
    expect(engine.cancel(running.id)).toBe(true);
    await engine.idle();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect([engine.get(running.id)?.status, engine.get(queued.id)?.status, engine.get(after.id)?.status]).toEqual(['cancelled', 'cancelled', 'finished']);
    expect(engine.cancel(after.id)).toBe(false);
    await engine.close();
  });

  it('a failing node fails its job only; the queue goes on', async () => {
    const { engine } = makeEngine(fakeRunners({ failOnSeed: 13 }));
    const bad = (await engine.enqueue(txt2img(13))).job;
    const good = (await engine.enqueue(txt2img(14))).job;
    await engine.idle();
    expect(engine.get(bad.id)).toMatchObject({ status: 'failed', error: { nodeId: 'sampler', message: expect.stringContaining('out of memory') } });
    expect(engine.get(good.id)?.status).toBe('finished');
    await engine.close();
  });

  it('replays the journal: finished jobs stay history, interrupted ones are queued again', async () => {
    const { engine, root, paths } = makeEngine(fakeRunners());
    const done = (await engine.enqueue(txt2img(1))).job;
    await engine.idle();
    await engine.close();
    const file = path.join(paths.state, 'journal.jsonl');
    const j = new Journal(file);
    const job = { ...done, id: 'interrupted', status: 'queued' as const, files: [] };
    j.append({ t: 'accepted', job });
    j.append({ t: 'started', id: 'interrupted', at: new Date().toISOString() });
    j.close();
    fs.appendFileSync(file, '{"t":"accepted","job":{"id":"torn'); // a write cut short by kill -9
    const again = makeEngine(fakeRunners(), root).engine;
    expect(again.get(done.id)?.status).toBe('finished');
    expect(again.get('interrupted')?.status).toBe('queued');
    again.start();
    await again.idle();
    expect(again.get('interrupted')?.status).toBe('finished');
    const later = (await again.enqueue(txt2img(9))).job; // appended after the torn line: must survive
    await again.idle();
    await again.close();
    expect(Journal.replay(file).map((x) => [x.id, x.status])).toEqual([[done.id, 'finished'], ['interrupted', 'finished'], [later.id, 'finished']]);
    // restart with a history limit: compacted to the newest terminal jobs, one line each
    const limited = new Engine({ paths, executor: createInProcessExecutor(paths, fakeRunners()), historyLimit: 2 });
    await limited.close();
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(Journal.replay(file).map((x) => x.id)).toEqual(['interrupted', later.id]);
  });
});
