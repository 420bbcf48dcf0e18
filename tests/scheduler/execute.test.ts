import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { executeWorkflow } from '../../server/scheduler/execute';
import { OutputCache } from '../../server/scheduler/output-cache';
import { ModelCache } from '../../server/runtime/model-cache';
import { planExecution } from '../../server/scheduler/plan';
import { resolvePaths } from '../../server/config/paths';
import type { NodeEventBody } from '../../server/scheduler/events';
import { countingRegistry, fakeValue, SCHEMAS, txt2img } from './fixtures';
import type { NodeImplementation } from '../../nodes/node';

function setup() {
  const { calls, registry } = countingRegistry();
  const cache = new OutputCache();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-exec-'));
  fs.mkdirSync(path.join(root, 'models', 'checkpoints'), { recursive: true });
  fs.writeFileSync(path.join(root, 'models', 'checkpoints', 'tiny-sd1.safetensors'), 'x');
  const events: NodeEventBody[] = [];
  const run = (wf: ReturnType<typeof txt2img>) =>
    executeWorkflow({
      jobId: 'j',
      workflow: wf,
      registry,
      cache,
      models: new ModelCache(1e9),
      paths: resolvePaths({ root }),
      signal: new AbortController().signal,
      emit: (e) => events.push(e),
    });
  return { calls, run, events, root };
}

describe('planExecution', () => {
  it('orders every node after its inputs and skips nodes no output needs', () => {
    const wf = txt2img();
    wf.nodes.unused = { type: 'EmptyLatentImage', version: 1, params: {}, inputs: {} };
    const order = planExecution(wf, SCHEMAS);
    expect(order).not.toContain('unused');
    expect(order).toHaveLength(7);
    for (const id of order) {
      for (const link of Object.values(wf.nodes[id].inputs)) expect(order.indexOf(link.node)).toBeLessThan(order.indexOf(id));
    }
  });
});

describe('executeWorkflow caching', () => {
  it('a seed change re-runs exactly sampler, decode and save', async () => {
    const { calls, run, events } = setup();
    await run(txt2img(1));
    expect(calls).toHaveLength(7);
    calls.length = 0;
    events.length = 0;
    await run(txt2img(2));
    expect(calls.sort()).toEqual(['decode', 'sampler', 'save']);
    expect(
      events
        .filter((e) => e.type === 'node.cached')
        .map((e) => e.nodeId)
        .sort(),
    ).toEqual(['ckpt', 'latent', 'neg', 'pos']);
  });

  it('an unchanged workflow runs nothing; seed 7 equals "7"', async () => {
    const { calls, run } = setup();
    await run(txt2img(7));
    calls.length = 0;
    await run(txt2img('7'));
    expect(calls).toEqual([]);
  });

  it('a prompt change re-runs the encoder and everything after it only', async () => {
    const { calls, run } = setup();
    await run(txt2img());
    calls.length = 0;
    const wf = txt2img();
    wf.nodes.pos.params.text = 'a dog';
    await run(wf);
    expect(calls.sort()).toEqual(['decode', 'pos', 'sampler', 'save']);
  });

  it('replacing a model file under the same name re-runs its loader and everything after it', async () => {
    const { calls, run, root } = setup();
    await run(txt2img());
    calls.length = 0;
    const file = path.join(root, 'models', 'checkpoints', 'tiny-sd1.safetensors');
    fs.writeFileSync(file, 'a different file');
    await run(txt2img());
    expect(calls.sort()).toEqual(['ckpt', 'decode', 'neg', 'pos', 'sampler', 'save']);
  });

  it('replacing an input image under the same name re-runs LoadImage (ComfyUI IS_CHANGED)', async () => {
    const { calls, run, root } = setup();
    fs.mkdirSync(path.join(root, 'input'), { recursive: true });
    fs.writeFileSync(path.join(root, 'input', 'x.png'), 'first');
    const wf = () => ({
      format: 'latentloom.workflow' as const,
      version: 2 as const,
      nodes: {
        load: { type: 'LoadImage', version: 1, params: { image: 'x.png' }, inputs: {} },
        save: { type: 'SaveImage', version: 1, params: { filename_prefix: 'y' }, inputs: { images: { node: 'load', output: 'IMAGE' } } },
      },
    });
    await run(wf());
    calls.length = 0;
    await run(wf());
    expect(calls).toEqual([]);
    fs.writeFileSync(path.join(root, 'input', 'x.png'), 'second, longer');
    await run(wf());
    expect(calls.sort()).toEqual(['load', 'save']);
  });

  it('stops at the next node when aborted', async () => {
    const ac = new AbortController();
    const { registry } = countingRegistry({
      CLIPTextEncode: async () => {
        ac.abort();
        return { CONDITIONING: { kind: 'conditioning', entries: [] } };
      },
    });
    const p = executeWorkflow({
      jobId: 'j',
      workflow: txt2img(),
      registry,
      cache: new OutputCache(),
      models: new ModelCache(1),
      paths: resolvePaths({ root: os.tmpdir() }),
      signal: ac.signal,
      emit: () => {},
    });
    await expect(p).rejects.toThrow();
  });

  it('a node that returns the wrong type fails with its name and the output, keeping the cause', async () => {
    const { registry } = countingRegistry({ VAEDecode: async () => ({ IMAGE: 'not an image' }) });
    const { root } = setup();
    const p = executeWorkflow({
      jobId: 'j',
      workflow: txt2img(),
      registry,
      cache: new OutputCache(),
      models: new ModelCache(1),
      paths: resolvePaths({ root }),
      signal: new AbortController().signal,
      emit: () => {},
    });
    await expect(p).rejects.toMatchObject({
      nodeId: 'decode',
      message: expect.stringContaining('VAE Decode (decode) failed: output "IMAGE" should be IMAGE'),
      cause: expect.any(Error),
    });
  });
});

describe('ModelCache', () => {
  it('evicts least recently used entries beyond the budget', async () => {
    const cache = new ModelCache(100);
    const disposed: string[] = [];
    const load = (k: string) => cache.get(k, async () => ({ value: k, bytes: 40, dispose: () => disposed.push(k) }));
    await load('a');
    await load('b');
    await load('a');
    await load('c');
    expect(disposed).toEqual(['b']);
    expect(cache.keys().sort()).toEqual(['a', 'c']);
  });
});

describe('overrides', () => {
  it('apply by node.param and follow the schema type', async () => {
    const { applyOverrides, parseSetArg } = await import('../../server/scheduler/overrides');
    const sets = ['pos.text=42', 'latent.width=768', 'sampler.seed=18446744073709551615', 'sampler.denoise=0.5'].map(parseSetArg);
    const { workflow, errors } = applyOverrides(txt2img(), Object.fromEntries(sets), SCHEMAS);
    expect(errors).toEqual([]);
    expect(workflow.nodes.pos.params.text).toBe('42');
    expect(workflow.nodes.latent.params.width).toBe(768);
    expect(workflow.nodes.sampler.params.seed).toBe('18446744073709551615');
    expect(workflow.nodes.sampler.params.denoise).toBe(0.5);
    const bad = applyOverrides(txt2img(), { 'nope.seed': 1, 'sampler.sed': 1 }, SCHEMAS).errors;
    expect(bad.map((e) => e.nodeId)).toEqual(['nope', 'sampler']);
  });
});

describe('warming a sampler while earlier nodes run', () => {
  it("the sampler's model load starts when its model input is known and overlaps the text encoders", async () => {
    const log: string[] = [];
    const t0 = performance.now();
    const at = (what: string) => log.push(`${what}@${Math.round(performance.now() - t0)}`);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const encode: NodeImplementation['run'] = async ({ ctx }) => {
      at(`encode ${ctx.nodeId} start`);
      await sleep(150);
      at(`encode ${ctx.nodeId} end`);
      return { CONDITIONING: { kind: 'conditioning', entries: [] } };
    };
    // a fake slow builder behind the model cache, as unetFor is
    const build = (models: ModelCache) =>
      models.get('unet|fake', async () => {
        at('build start');
        await sleep(300);
        at('build end');
        return { value: 'unet', bytes: 1 };
      });
    const base = countingRegistry({ CLIPTextEncode: encode });
    const sampler: NodeImplementation = {
      ...base.registry.implementation('KSampler')!,
      warm: (inputs, ctx) => {
        if (inputs.model) void build(ctx.models);
      },
      run: async ({ ctx }) => {
        ctx.progress(0, 1, undefined, 'loading model');
        await build(ctx.models);
        ctx.progress(1, 1, undefined, 'loading model');
        ctx.progress(1, 1);
        return { LATENT: fakeValue('LATENT', 'x') };
      },
    };
    const registry = { ...base.registry, implementation: (id: string) => (id === 'KSampler' ? sampler : base.registry.implementation(id)) };
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-warm-'));
    fs.mkdirSync(path.join(root, 'models', 'checkpoints'), { recursive: true });
    fs.writeFileSync(path.join(root, 'models', 'checkpoints', 'tiny-sd1.safetensors'), 'x');
    const events: NodeEventBody[] = [];
    await executeWorkflow({
      jobId: 'j',
      workflow: txt2img(),
      registry,
      cache: new OutputCache(),
      models: new ModelCache(1e9),
      paths: resolvePaths({ root }),
      signal: new AbortController().signal,
      emit: (e) => events.push(e),
    });
    const when = (what: string) => Number(log.find((l) => l.startsWith(`${what}@`))!.split('@')[1]);
    // the build began before the first encoder finished, and ran once
    expect(when('build start')).toBeLessThan(when('encode pos end'));
    expect(log.filter((l) => l.startsWith('build start'))).toHaveLength(1);
    // overlapped: well under encoders + build one after the other (150 + 150 + 300 ms)
    expect(when('build end')).toBeLessThan(450);
    const progress = events.flatMap((e) => (e.type === 'node.progress' ? [`${e.stage ?? 'step'} ${e.step}/${e.total}`] : []));
    expect(progress).toEqual(['loading model 0/1', 'loading model 1/1', 'step 1/1']);
  });
});
