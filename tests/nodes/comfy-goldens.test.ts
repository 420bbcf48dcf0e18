/** ComfyUI's own results (../shared/golden/comfy-nodes) for the base nodes, each case's workflow_api.json run as is. */
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

async function check(caseName: string, expectations: Record<string, number>) {
  const dir = comfyCaseDir(caseName);
  const gold = await readGoldenTensors(path.join(dir, 'golden.safetensors'));
  const run = await runComfyCase(dir);
  runs.push(run);
  for (const [key, tol] of Object.entries(expectations)) {
    const want = gold.get(key);
    if (!want) throw new Error(`${caseName}: golden has no ${key}`);
    const [node, slot, field] = key.split('.');
    const value = run.bySlot(`${node}.${slot}`);
    const got =
      field === 'samples' ? (value as LatentValue).samples : field === 'noise_mask' ? (value as LatentValue).noise_mask : (value as ImageValue);
    if (!got) throw new Error(`${caseName}: ${key} is missing from our output`);
    expect(got.shape, key).toEqual(want.shape);
    const err = relErr(got.data, want.data as Float32Array);
    console.log(`[comfy] ${caseName} ${key} rel err ${err.toExponential(2)}`);
    expect(err, key).toBeLessThanOrEqual(tol);
  }
}

describeGolden("ComfyUI's workflows through our engine", () => {
  it('txt2img_72x56: a size that is not a multiple of 64', () => check('txt2img_72x56', { '5.0.samples': 1e-4, '6.0': 1e-4 }));
  it('xref_sd1_pipe_q: the SD1 text-to-image reference', () => check('xref_sd1_pipe_q', { '5.0.samples': 1e-4, '6.0': 1e-4 }));
  it('xref_sdxl_pipe_q: the SDXL text-to-image reference', () => check('xref_sdxl_pipe_q', { '5.0.samples': 1e-4, '6.0': 1e-4 }));
  it('sdxl_txt2img', () => check('sdxl_txt2img', { '5.0.samples': 1e-4, '6.0': 1e-4 }));
  it('vae_tiled: VAEEncodeTiled and VAEDecodeTiled (160x160, tile 64, overlap 16) and their untiled twins', () =>
    check('vae_tiled', { '5.0.samples': 1e-4, '6.0.samples': 1e-4, '7.0': 1e-4, '8.0': 1e-4 }));
  it('inpaint_vae_encode_for_inpaint: VAEEncodeForInpaint greys the hole and grows the mask into noise_mask', () =>
    check('inpaint_vae_encode_for_inpaint', { '5.0.samples': 1e-4, '5.0.noise_mask': 0 }));
  it('lcm: ModelSamplingDiscrete(lcm) with the lcm sampler', () => check('lcm', { '6.0.samples': 1e-4, '7.0': 1e-4 }));
});
