/**
 * public/workflows/sdxl-text-to-image.json: a valid graph, and — at the golden's size and settings — the engine
 * reproduces tiny-sdxl's pipe_q (ComfyUI KSampler euler/normal, 6 steps, cfg 7) through CLIPTextEncodeSDXL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY } from '../../../nodes/registry';
import { parseWorkflow } from '../../../nodes/workflow/migrate';
import type { Workflow } from '../../../nodes/workflow/schema';
import type { UNetRunner } from '../../../server/runtime/models';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';
import type { CachedModel } from '../../../server/runtime/model-cache';
import { validateWorkflow } from '../../../server/scheduler/validate';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../../helpers/read-golden';
import { engineRunner, maxAbs, maxAbsDiff, pipelineRoot, readLatentFile, readPngChw, type PipelineRoot } from '../pipeline/support';

const FILE = path.resolve(import.meta.dirname, '../../../public/workflows/sdxl-text-to-image.json');
const CKPT = 'tiny-sdxl.safetensors';
const SCALE = 0.13025;
const example = (): Workflow => parseWorkflow(JSON.parse(fs.readFileSync(FILE, 'utf8')));

describe('SDXL example workflow', () => {
  it('is a valid graph given tiny-sdxl.safetensors', () => {
    const wf = example();
    expect(wf.nodes.ckpt.params.ckpt_name).toBe(CKPT);
    expect([wf.nodes.sampler.params.sampler_name, wf.nodes.sampler.params.scheduler, wf.nodes.sampler.params.cfg]).toEqual(['euler', 'normal', 7]);
    const errors = validateWorkflow(wf, REGISTRY.schemas, {
      findModel: (folder, name) => (folder === 'checkpoints' && name === CKPT ? { ok: true } : { ok: false, message: `no ${name}`, suggestions: [] }),
      inputFileExists: () => true,
    });
    expect(errors).toEqual([]);
  });
});

describeGolden('SDXL example workflow on tiny-sdxl vs pipe_q', () => {
  let g: Map<string, GoldenTensor>;
  let root: PipelineRoot;
  const saved = { cache: process.env.LOOM_CACHE_DIR, vocab: process.env.LOOM_CLIP_VOCAB };
  const gold = (k: string) => {
    const v = g.get(k);
    if (!v) throw new Error(`golden ${k} missing`);
    return v.data as Float32Array;
  };

  beforeAll(async () => {
    g = await readGoldenTensors(golden('tiny-sdxl', 'golden.safetensors'));
    root = pipelineRoot({ [`checkpoints/${CKPT}`]: golden('tiny-sdxl', 'model.safetensors') });
    process.env.LOOM_CACHE_DIR = path.join(root.root, 'weight-cache');
    process.env.LOOM_CLIP_VOCAB = golden('clip');
  });
  afterAll(async () => {
    await sessionCache.clear();
    for (const [k, v] of [
      ['LOOM_CACHE_DIR', saved.cache],
      ['LOOM_CLIP_VOCAB', saved.vocab],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    root.cleanup();
  });

  it('64x64, seed 3533, 6 steps: latent within 1e-3·max of pipe_q.latent_out, PNG within 2/255 of pipe_q.image', async () => {
    const wf = example();
    const sizes = { width: 64, height: 64, crop_w: 0, crop_h: 0, target_width: 64, target_height: 64 };
    wf.nodes.pos.params = { ...wf.nodes.pos.params, ...sizes, text_g: 'a photo of a cat', text_l: 'a photo of a cat' };
    wf.nodes.neg.params = { ...wf.nodes.neg.params, ...sizes, text_g: '', text_l: '' };
    wf.nodes.latent.params = { ...wf.nodes.latent.params, width: 64, height: 64 };
    wf.nodes.sampler.params = { ...wf.nodes.sampler.params, seed: 3533, steps: 6 };
    wf.nodes.savelatent = {
      type: 'SaveLatent',
      version: 1,
      params: { filename_prefix: 'sdxl' },
      inputs: { samples: { node: 'sampler', output: 'LATENT' } },
    };
    const files = await engineRunner(root.paths).run(wf);
    const lat = files.find((f) => f.kind === 'latent');
    const png = files.find((f) => f.kind === 'image');
    if (!lat || !png) throw new Error(`expected a latent and an image, got ${JSON.stringify(files)}`);
    const { data, shape } = await readLatentFile(path.join(root.paths.output, lat.path));
    expect(shape).toEqual([1, 4, 8, 8]);
    const ref = gold('pipe_q.latent_out');
    const rel =
      maxAbsDiff(
        Float32Array.from(data, (v) => v * SCALE),
        ref,
      ) / maxAbs(ref);
    const img = readPngChw(path.join(root.paths.output, png.path));
    const imgErr = maxAbsDiff(img.data, gold('pipe_q.image'));
    console.log(
      `[sdxl workflow] latent vs pipe_q.latent_out ${rel.toExponential(3)} of max ${maxAbs(ref).toFixed(2)}; PNG ${(imgErr * 255).toFixed(3)}/255`,
    );
    expect(rel).toBeLessThanOrEqual(1e-3);
    expect(imgErr).toBeLessThanOrEqual(2 / 255);
  });

  it('CLIPTextEncodeSDXL sizes reach the UNet: y of the positive row is cond2.vector, the negative keeps its own sizes', async () => {
    const wf = example();
    wf.nodes.pos.params = {
      ...wf.nodes.pos.params,
      width: 128,
      height: 96,
      crop_w: 16,
      crop_h: 8,
      target_width: 80,
      target_height: 64,
      text_g: 'a photo of a cat',
      text_l: 'a photo of a cat',
    };
    wf.nodes.neg.params = {
      ...wf.nodes.neg.params,
      width: 64,
      height: 64,
      crop_w: 0,
      crop_h: 0,
      target_width: 64,
      target_height: 64,
      text_g: '',
      text_l: '',
    };
    wf.nodes.latent.params = { ...wf.nodes.latent.params, width: 64, height: 64 };
    wf.nodes.sampler.params = { ...wf.nodes.sampler.params, seed: 3533, steps: 2 };
    const engine = engineRunner(root.paths);
    const ys: Float32Array[] = [];
    const realGet = engine.models.get.bind(engine.models);
    // record the y the sampler feeds the real UNet
    engine.models.get = <T>(key: string, load: () => Promise<CachedModel<T>>): Promise<T> =>
      realGet(
        key,
        !key.startsWith('unet|')
          ? load
          : async () => {
              const entry = await load();
              const unet = entry.value as unknown as UNetRunner;
              const spy: UNetRunner = {
                config: unet.config,
                attention: unet.attention,
                provider: unet.provider,
                // the spy sees every call only on the host path
                runOnDevice: () => Promise.reject(new Error('resident sampling is off in this test')),
                run: (x, t, c, y) => {
                  if (y) ys.push(y.data.slice());
                  return unet.run(x, t, c, y);
                },
              };
              return { ...entry, value: spy as unknown as T };
            },
      );
    await engine.run(wf);
    expect(ys.length).toBeGreaterThan(0);
    const rows = ys[0].length / 1664;
    expect(rows).toBe(2);
    const row = (i: number) => ys[0].subarray(i * 1664, (i + 1) * 1664);
    const cond2 = gold('cond2.vector');
    const uncond = gold('cond.vector').subarray(1664);
    const [pos, neg] = maxAbsDiff(row(0), cond2) < maxAbsDiff(row(1), cond2) ? [row(0), row(1)] : [row(1), row(0)];
    const errs = { pos: maxAbsDiff(pos, cond2), neg: maxAbsDiff(neg, uncond) };
    console.log('[sdxl workflow] y at sampling vs cond2.vector / cond.vector[1]', errs);
    expect(errs.pos).toBeLessThanOrEqual(1e-4);
    expect(errs.neg).toBeLessThanOrEqual(1e-4);
  });
});
