/** UpscaleModelLoader + ImageUpscaleWithModel against ComfyUI's own runs (../shared/golden/comfy-models/upscale). */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { UpscaleModelHandle } from '../../server/runtime/handles';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { ImageValue } from '../../server/runtime/values';
import { runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { maxAbsDiff } from '../helpers/compare';
import { describeGolden, golden } from '../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../helpers/read-golden';

const DIR = () => golden('comfy-models', 'upscale');
const runs: CaseRun[] = [];
let gold: Map<string, GoldenTensor> | undefined;
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
});

/** every model file of the folder, under models/upscale_models */
const modelFiles = () =>
  Object.fromEntries(
    fs
      .readdirSync(DIR())
      .filter((f) => /\.(pth|safetensors)$/.test(f) && f !== 'golden.safetensors')
      .map((f) => [`upscale_models/${f}`, path.join(DIR(), f)]),
  );

async function want(key: string): Promise<Float32Array> {
  gold ??= await readGoldenTensors(path.join(DIR(), 'golden.safetensors'));
  const t = gold.get(key);
  if (!t) throw new Error(`golden ${key} missing`);
  return t.data as Float32Array;
}

/**
 * Runs case `name` and compares its upscaled IMAGE with the golden of `goldenCase` (the .pth files and the old-arch
 * file are bit-identical in ComfyUI to the case whose golden is stored).
 */
async function check(name: string, goldenCase: string, arch: string, scale: number, shape: number[]) {
  const run = await runComfyCase(DIR(), { workflowFile: `${name}.workflow_api.json`, models: modelFiles() });
  runs.push(run);
  const model = run.bySlot('2.0') as UpscaleModelHandle;
  expect(model.spec.arch).toBe(arch);
  expect(model.spec.scale).toBe(scale);
  const img = run.bySlot('3.0') as ImageValue;
  expect(img.shape).toEqual(shape);
  const input = maxAbsDiff((run.bySlot('1.0') as ImageValue).data, await want(`${goldenCase}/1.0.IMAGE`));
  const err = maxAbsDiff(img.data, await want(`${goldenCase}/3.0.IMAGE`));
  console.log(`[comfy] ${name}`, { input, err });
  expect(input).toBe(0);
  expect(err).toBeLessThanOrEqual(1e-4);
}

describeGolden('upscale models (ComfyUI runs)', () => {
  it('Real-ESRGAN x4plus RRDBNet, .safetensors', () =>
    check('realesrgan-x4plus-tiny.safetensors', 'realesrgan-x4plus-tiny.safetensors', 'ESRGAN', 4, [1, 128, 192, 3]));
  it('Real-ESRGAN x4plus RRDBNet, .pth {"params_ema": sd}', () =>
    check('realesrgan-x4plus-tiny.pth', 'realesrgan-x4plus-tiny.safetensors', 'ESRGAN', 4, [1, 128, 192, 3]));
  it('Real-ESRGAN x2plus (pixel-unshuffle), .pth', () =>
    check('realesrgan-x2plus-tiny.pth', 'realesrgan-x2plus-tiny.pth', 'ESRGAN', 2, [1, 64, 96, 3]));
  it('old-arch ESRGAN (model.N names), .pth', () =>
    check('esrgan-oldarch-x4-tiny.pth', 'realesrgan-x4plus-tiny.safetensors', 'ESRGAN', 4, [1, 128, 192, 3]));
  it('SRVGGNetCompact (realesr-general-x4v3), .safetensors', () =>
    check('realesr-general-x4v3-tiny.safetensors', 'realesr-general-x4v3-tiny.safetensors', 'Compact', 4, [1, 128, 192, 3]));
  it('SRVGGNetCompact, .pth {"params": sd}', () =>
    check('realesr-general-x4v3-tiny.pth', 'realesr-general-x4v3-tiny.safetensors', 'Compact', 4, [1, 128, 192, 3]));
  it('txt2img on tiny-sd1, then x4plus', async () => {
    const run = await runComfyCase(DIR(), { workflowFile: 'txt2img-then-realesrgan-x4plus-tiny.workflow_api.json', models: modelFiles() });
    runs.push(run);
    const decoded = maxAbsDiff((run.bySlot('8.0') as ImageValue).data, await want('txt2img-then-realesrgan-x4plus-tiny/8.0.IMAGE'));
    const img = run.bySlot('11.0') as ImageValue;
    expect(img.shape).toEqual([1, 256, 256, 3]);
    const err = maxAbsDiff(img.data, await want('txt2img-then-realesrgan-x4plus-tiny/11.0.IMAGE'));
    console.log('[comfy] txt2img-then-realesrgan-x4plus-tiny', { decoded, err });
    expect(decoded).toBeLessThanOrEqual(1e-4);
    expect(err).toBeLessThanOrEqual(1e-4);
  });
});
