/**
 * ComfyUI's conditioning nodes and SetLatentNoiseMask (../shared/golden/comfy-nodes cond_*, inpaint_set_latent_noise_mask):
 * each case's workflow_api.json run through our engine; every output the golden holds is compared: CONDITIONING entries
 * (cross-attention, pooled output, mask tensors, and the non-tensor fields of metadata 'conditioning'), LATENT samples
 * and noise masks, decoded images.
 */
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';
import { isConditioning, type CondEntry } from '../../../server/runtime/handles';
import { isLatent, type FloatTensor } from '../../../server/runtime/values';
import { comfyCaseDir, relErr, runComfyCase, type CaseRun } from '../../helpers/comfy-case';
import { describeGolden } from '../../helpers/golden';
import { readGoldenMetadata, readGoldenTensors } from '../../helpers/read-golden';

const runs: CaseRun[] = [];
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
});

/** Our entry's options as ComfyUI's dict of non-tensor fields (the golden's metadata). */
function comfyFields(e: CondEntry): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (e.area)
    o.area =
      e.area.unit === 'fraction'
        ? ['percentage', e.area.height, e.area.width, e.area.y, e.area.x]
        : [e.area.height, e.area.width, e.area.y, e.area.x];
  if (e.strength !== undefined) o.strength = e.strength;
  if (e.setAreaToBounds !== undefined) o.set_area_to_bounds = e.setAreaToBounds;
  if (e.maskStrength !== undefined) o.mask_strength = e.maskStrength;
  if (e.startPercent !== undefined) o.start_percent = e.startPercent;
  if (e.endPercent !== undefined) o.end_percent = e.endPercent;
  return o;
}

/** Compares every golden key; tolerances: exact for masks, 1e-5 for text tensors, `tol` (relative) for sampled values. */
async function check(caseName: string, tol = 1e-4): Promise<void> {
  const dir = comfyCaseDir(caseName);
  const file = path.join(dir, 'golden.safetensors');
  const gold = await readGoldenTensors(file);
  const meta = JSON.parse((await readGoldenMetadata(file)).conditioning ?? '{}') as Record<string, Record<string, unknown>[]>;
  const run = await runComfyCase(dir);
  runs.push(run);
  let compared = 0;
  for (const [key, want] of gold) {
    const parts = key.split('.');
    if (parts[1] === 'noise') continue;
    const value = run.bySlot(`${parts[0]}.${parts[1]}`);
    let got: FloatTensor | undefined;
    let t = tol;
    if (isConditioning(value)) {
      const entry = value.entries[Number(parts[2])];
      expect(entry, `${caseName} ${key}: entry`).toBeDefined();
      const field = parts[3];
      got = field === 'cond' ? entry.cross : field === 'pooled_output' ? entry.pooled : field === 'mask' ? entry.mask : undefined;
      t = field === 'mask' ? 0 : 1e-5;
    } else if (isLatent(value)) {
      got = parts[2] === 'samples' ? value.samples : parts[2] === 'noise_mask' ? value.noise_mask : undefined;
      if (parts[2] === 'noise_mask') t = 0;
    } else {
      got = value as FloatTensor | undefined;
      if (parts[0] === '4') t = 0; // LoadImage's image and mask
    }
    if (!got) throw new Error(`${caseName}: ${key} is missing from our output`);
    expect(got.shape, key).toEqual(want.shape);
    const err = relErr(got.data, want.data as Float32Array);
    console.log(`[cond] ${caseName} ${key} rel err ${err.toExponential(2)}`);
    expect(err, key).toBeLessThanOrEqual(t);
    compared++;
  }
  for (const [slot, entries] of Object.entries(meta)) {
    const value = run.bySlot(slot);
    if (!isConditioning(value)) throw new Error(`${caseName}: ${slot} is not a CONDITIONING in our run`);
    expect(value.entries.map(comfyFields), `${caseName} ${slot} fields`).toEqual(entries);
  }
  expect(compared).toBeGreaterThan(5);
}

describeGolden("ComfyUI's conditioning nodes through our engine", () => {
  it('cond_combine: two positive entries averaged per step', () => check('cond_combine'));
  it('cond_average: ConditioningAverage 0.3 (cross-attention and pooled mixed)', () => check('cond_average'));
  it('cond_concat: 154 tokens against a 77-token negative', () => check('cond_concat'));
  it('cond_set_area: a 32x32 px area at (16, 8), strength 0.8, feathered edges', () => check('cond_set_area'));
  it('cond_set_area_pct: a percentage area resolved on the latent, strength 1.2', () => check('cond_set_area_pct'));
  it('cond_set_mask: a LoadImage mask (resized to the latent) with strength 0.9, default and "mask bounds"', () => check('cond_set_mask'));
  it('cond_timestep_range: one prompt for the first half of the schedule, another for the second', () => check('cond_timestep_range'));
  it('cond_zero_out: a zeroed negative', () => check('cond_zero_out'));
  it('inpaint_set_latent_noise_mask: VAEEncode + SetLatentNoiseMask + KSampler denoise 0.8', () => check('inpaint_set_latent_noise_mask'));
});
