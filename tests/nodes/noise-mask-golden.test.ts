/**
 * Sampling with a latent noise_mask (ComfyUI's KSamplerX0Inpaint) against ComfyUI's own runs: VAEEncodeForInpaint's
 * grown mask and SetLatentNoiseMask's mask through KSampler (../shared/golden/comfy-nodes inpaint_* cases).
 */
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { ImageValue, LatentValue } from '../../server/runtime/values';
import { comfyCaseDir, relErr, runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { describeGolden } from '../helpers/golden';
import { readGoldenTensors } from '../helpers/read-golden';
import { maskedDenoiser, prepareDenoiseMask } from '../../server/runtime/sampling/denoise-mask';
import { ModelSamplingDiscrete } from '../../server/runtime/sampling/model-sampling';

const runs: CaseRun[] = [];
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
});

async function check(caseName: string, sampler: string, decode: string) {
  const dir = comfyCaseDir(caseName);
  const gold = await readGoldenTensors(path.join(dir, 'golden.safetensors'));
  const run = await runComfyCase(dir);
  runs.push(run);
  const latent = run.bySlot(sampler) as LatentValue;
  const want = gold.get(`${sampler}.samples`)?.data as Float32Array;
  const err = relErr(latent.samples.data, want);
  console.log(`[comfy] ${caseName} latent rel err ${err.toExponential(2)}`);
  expect(err).toBeLessThanOrEqual(1e-4);
  // the noise mask carries through the sampler (ComfyUI returns a copy of the latent dict)
  expect(latent.noise_mask).toBeDefined();
  const image = run.bySlot(decode) as ImageValue;
  expect(relErr(image.data, gold.get(decode)?.data as Float32Array)).toBeLessThanOrEqual(1e-4);
  return latent;
}

describeGolden("noise masks in ComfyUI's workflows", () => {
  it('VAEEncodeForInpaint → KSampler: the sampler only changes the (grown) hole', async () => {
    await check('inpaint_vae_encode_for_inpaint', '6.0', '7.0');
  });
  it('VAEEncode → SetLatentNoiseMask → KSampler (denoise 0.8): outside the mask the latent is kept', async () => {
    const latent = await check('inpaint_set_latent_noise_mask', '7.0', '8.0');
    expect(latent.noise_mask?.shape).toEqual([1, 1, 64, 64]);
  });
});

it('maskedDenoiser: where the mask is 0 the prediction is the latent, where 1 the model’s own', async () => {
  const ms = new ModelSamplingDiscrete('eps');
  const latent = Float32Array.of(1, 2, 3, 4);
  const noise = Float32Array.of(0.5, 0.5, 0.5, 0.5);
  const mask = prepareDenoiseMask({ shape: [1, 1, 1, 2], data: Float32Array.of(0, 1) }, [1, 2, 1, 2]);
  expect(Array.from(mask.data)).toEqual([0, 1, 0, 1]);
  const seen: Float32Array[] = [];
  const model = async (x: Float32Array) => {
    seen.push(x);
    return Float32Array.of(9, 9, 9, 9);
  };
  const d = maskedDenoiser(model, ms, mask.data, latent, noise);
  expect(Array.from(await d(Float32Array.of(7, 7, 7, 7), 2))).toEqual([1, 9, 3, 9]);
  // the model sees x where masked and the noised latent (latent + σ·noise) elsewhere
  expect(Array.from(seen[0])).toEqual([2, 7, 4, 7]);
  expect(() => maskedDenoiser(async (x) => x, ms, new Float32Array(3), latent, noise)).toThrow(/same size/);
});
