/**
 * Sampling with a latent noise_mask (ComfyUI's KSamplerX0Inpaint) against ComfyUI's own runs: VAEEncodeForInpaint's
 * grown mask and SetLatentNoiseMask's mask through KSampler (../shared/golden/comfy-nodes inpaint_* cases). The blend
 * itself is unit-tested in tests/runtime/sampling/inpaint.test.ts.
 */
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { ImageValue, LatentValue } from '../../server/runtime/values';
import { comfyCaseDir, relErr, runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { describeGolden } from '../helpers/golden';
import { readGoldenTensors } from '../helpers/read-golden';

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
