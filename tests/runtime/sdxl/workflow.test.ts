/**
 * public/workflows/sdxl-text-to-image.json: a valid graph, and — at the golden's size and settings — the engine
 * reproduces tiny-sdxl's pipe_q (ComfyUI KSampler euler/normal, 6 steps, cfg 7) through CLIPTextEncodeSDXL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNERS, isImplemented } from '../../../nodes/runners';
import { SCHEMAS_BY_ID } from '../../../nodes/schemas';
import { parseWorkflow } from '../../../nodes/workflow/migrate';
import type { Workflow } from '../../../nodes/workflow/schema';
import { sessionCache } from '../../../server/runtime/onnx/session';
import { validateWorkflow } from '../../../server/scheduler/validate';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../../helpers/read-golden';
import { engineRunner, maxAbs, maxAbsDiff, pipelineRoot, readLatentFile, readPngChw, type PipelineRoot } from '../pipeline/support';

const FILE = path.resolve(import.meta.dirname, '../../../public/workflows/sdxl-text-to-image.json');
const CKPT = 'tiny-sdxl.safetensors';
const SCALE = 0.13025;
const example = (): Workflow => parseWorkflow(JSON.parse(fs.readFileSync(FILE, 'utf8')));

describe('SDXL example workflow', () => {
  it('is a valid graph given tiny-sdxl.safetensors, with every node implemented', () => {
    const wf = example();
    expect(wf.nodes.ckpt.params.file).toBe(CKPT);
    expect([wf.nodes.sampler.params.sampler_name, wf.nodes.sampler.params.scheduler, wf.nodes.sampler.params.cfg]).toEqual(['euler', 'normal', 7]);
    const errors = validateWorkflow(wf, SCHEMAS_BY_ID, {
      listModels: (folder) => (folder === 'checkpoints' ? [CKPT] : []),
      inputFileExists: () => true,
      isAvailable: (type) => isImplemented(type, RUNNERS),
    });
    expect(errors).toEqual([]);
  });
});

describeGolden('SDXL example workflow on tiny-sdxl vs pipe_q', () => {
  let g: Map<string, GoldenTensor>;
  let root: PipelineRoot;
  const saved = { cache: process.env.LOOM_CACHE_DIR, vocab: process.env.LOOM_CLIP_VOCAB };
  const get = (k: string) => {
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
    for (const [k, v] of [['LOOM_CACHE_DIR', saved.cache], ['LOOM_CLIP_VOCAB', saved.vocab]] as const) {
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
    wf.nodes.savelatent = { type: 'SaveLatent', version: 1, params: { filename_prefix: 'sdxl' }, inputs: { samples: { node: 'sampler', output: 'latent' } } };
    const files = await engineRunner(root.paths).run(wf);
    const lat = files.find((f) => f.kind === 'latent');
    const png = files.find((f) => f.kind === 'image');
    if (!lat || !png) throw new Error(`expected a latent and an image, got ${JSON.stringify(files)}`);
    const { data, shape } = await readLatentFile(path.join(root.paths.output, lat.path));
    expect(shape).toEqual([1, 4, 8, 8]);
    const ref = get('pipe_q.latent_out');
    const rel = maxAbsDiff(Float32Array.from(data, (v) => v * SCALE), ref) / maxAbs(ref);
    const img = readPngChw(path.join(root.paths.output, png.path));
    const imgErr = maxAbsDiff(img.data, get('pipe_q.image'));
    console.log(`[sdxl workflow] latent vs pipe_q.latent_out ${rel.toExponential(3)} of max ${maxAbs(ref).toFixed(2)}; PNG ${(imgErr * 255).toFixed(3)}/255`);
    expect(rel).toBeLessThanOrEqual(1e-3);
    expect(imgErr).toBeLessThanOrEqual(2 / 255);
  });

  // Needs server/runtime/pipeline/sample.ts (not owned here) to build y with sdxlVectorFor(cond, latentShape)
  // from sdxl-size-cond.ts instead of sdxlAdm(pooled, latentShape), so CLIPTextEncodeSDXL's sizes reach the UNet.
  it.todo('CLIPTextEncodeSDXL sizes other than 8x the latent change the sampled latent (cond2 sizes give a different result)');
});
