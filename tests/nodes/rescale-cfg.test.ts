/** RescaleCFG as a node: KSampler on its MODEL matches ComfyUI's run (tests/runtime/sampling/fixtures, ks.rescalecfg). */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ModelCache } from '../../server/runtime/model-cache';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { LatentValue } from '../../server/runtime/values';
import { relErr } from '../helpers/comfy-case';
import { describeGolden, golden } from '../helpers/golden';
import { readGoldenTensors } from '../helpers/read-golden';
import { pipelineRoot, type PipelineRoot } from '../runtime/pipeline/support';
import { loaded, nodeCaller } from './ml/support';

const FIXTURE = path.resolve(import.meta.dirname, '../runtime/sampling/fixtures/comfy-sampling-cases.safetensors');

describeGolden('RescaleCFG node', () => {
  let root: PipelineRoot;
  let call: ReturnType<typeof nodeCaller>;
  beforeAll(() => {
    root = pipelineRoot({ 'checkpoints/a.safetensors': golden('tiny-sd1', 'model.safetensors') });
    process.env.LOOM_CACHE_DIR = path.join(root.root, 'weight-cache');
    call = nodeCaller(root.paths, new ModelCache(2 ** 30));
  });
  afterAll(async () => {
    await sessionCache.clear();
    root.cleanup();
  });

  it('multiplier 0.7 at cfg 7 gives ComfyUI latents; the unpatched model does not', async () => {
    const want = (await readGoldenTensors(FIXTURE)).get('ks.rescalecfg.samples')?.data as Float32Array;
    const { model, clip } = loaded((await call('CheckpointLoaderSimple', { ckpt_name: 'a.safetensors' })).outputs);
    const positive = (await call('CLIPTextEncode', { text: 'a photo of a cat' }, { clip })).outputs.CONDITIONING;
    const negative = (await call('CLIPTextEncode', { text: 'blurry' }, { clip })).outputs.CONDITIONING;
    const latent_image = (await call('EmptyLatentImage', { width: 64, height: 64, batch_size: 1 })).outputs.LATENT;
    const rescaled = (await call('RescaleCFG', { multiplier: 0.7 }, { model })).outputs.MODEL;
    const params = { seed: 16, steps: 4, cfg: 7, sampler_name: 'euler', scheduler: 'normal' };
    const sample = async (m: unknown) =>
      ((await call('KSampler', params, { model: m, positive, negative, latent_image })).outputs.LATENT as LatentValue).samples.data;
    expect(relErr(await sample(rescaled), want)).toBeLessThan(1e-3);
    expect(relErr(await sample(model), want)).toBeGreaterThan(1e-2);
  });
});
