/**
 * ComfyUI's KSampler cases with resident sampling forced on (LOOM_RESIDENT_SAMPLING=on): the step graphs that keep
 * latents on a GPU run here on CPU and must give ComfyUI's numbers (euler, dpmpp_2m, lcm; SD1 and SDXL's y; a hires
 * second pass at denoise 0.5; SamplerCustom and SamplerCustomAdvanced through CFGGuider), and every such sampler of
 * those cases must have taken the resident path.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import { residentRuns } from '../../server/runtime/sampling/resident/sample';
import type { ImageValue, LatentValue } from '../../server/runtime/values';
import { comfyCaseDir, relErr, runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { describeGolden } from '../helpers/golden';
import { readGoldenTensors } from '../helpers/read-golden';

const runs: CaseRun[] = [];
const before = process.env.LOOM_RESIDENT_SAMPLING;
beforeAll(() => {
  process.env.LOOM_RESIDENT_SAMPLING = 'on';
});
afterAll(async () => {
  if (before === undefined) delete process.env.LOOM_RESIDENT_SAMPLING;
  else process.env.LOOM_RESIDENT_SAMPLING = before;
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
});

async function check(caseName: string, samplers: number, expectations: Record<string, number>) {
  const dir = comfyCaseDir(caseName);
  const gold = await readGoldenTensors(path.join(dir, 'golden.safetensors'));
  const start = residentRuns.count;
  const run = await runComfyCase(dir);
  runs.push(run);
  expect(residentRuns.count - start, 'KSampler runs that went resident').toBe(samplers);
  for (const [key, tol] of Object.entries(expectations)) {
    const want = gold.get(key);
    if (!want) throw new Error(`${caseName}: golden has no ${key}`);
    const [node, slot, field] = key.split('.');
    const value = run.bySlot(`${node}.${slot}`);
    const got = field === 'samples' ? (value as LatentValue).samples : (value as ImageValue);
    expect(got.shape, key).toEqual(want.shape);
    const err = relErr(got.data, want.data as Float32Array);
    console.log(`[resident] ${caseName} ${key} rel err ${err.toExponential(2)}`);
    expect(err, key).toBeLessThanOrEqual(tol);
  }
}

describeGolden("ComfyUI's KSampler cases, resident sampling on", () => {
  it('xref_sd1_pipe_q: euler, SD1', () => check('xref_sd1_pipe_q', 1, { '5.0.samples': 1e-4, '6.0': 1e-4 }));
  it('txt2img_72x56: dpmpp_2m at a size that is not a multiple of 64', () => check('txt2img_72x56', 1, { '5.0.samples': 1e-4, '6.0': 1e-4 }));
  it('sdxl_txt2img: SDXL (y vector)', () => check('sdxl_txt2img', 1, { '5.0.samples': 1e-4, '6.0': 1e-4 }));
  it('lcm: ModelSamplingDiscrete(lcm) with the lcm sampler', () => check('lcm', 1, { '6.0.samples': 1e-4, '7.0': 1e-4 }));
  it('hires_bislerp_center: txt2img then a denoise 0.5 second pass', () => check('hires_bislerp_center', 2, { '7.0.samples': 1e-4 }));
  it('sampler_custom: SamplerCustom with euler_ancestral, dpmpp_2m and euler (output and denoised_output)', () =>
    check('sampler_custom', 3, { '9.0.samples': 1e-4, '9.1.samples': 1e-4, '12.0.samples': 1e-4, '15.1.samples': 1e-4 }));
  it('sampler_custom_advanced: CFGGuider runs resident (incl. a split schedule without noise), BasicGuider on the host', () =>
    check('sampler_custom_advanced', 3, { '9.0.samples': 1e-4, '13.0.samples': 1e-4, '15.1.samples': 1e-4, '17.0.samples': 1e-4 }));
});
