/** CLIPVisionLoader + CLIPVisionEncode against ComfyUI's own runs (../shared/golden/comfy-models/clip_vision). */
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { ClipVisionOutput } from '../../server/runtime/handles';
import { clipPreprocess } from '../../server/runtime/image/clip-preprocess';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { ImageValue } from '../../server/runtime/values';
import { runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { maxAbsDiff } from '../helpers/compare';
import { describeGolden, golden } from '../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../helpers/read-golden';

const DIR = () => golden('comfy-models', 'clip_vision');
const runs: CaseRun[] = [];
let gold: Map<string, GoldenTensor> | undefined;
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
});

async function check(name: string, crop: boolean) {
  gold ??= await readGoldenTensors(path.join(DIR(), 'golden.safetensors'));
  const want = (k: string) => {
    const t = gold?.get(`${name}/${k}`);
    if (!t) throw new Error(`golden ${name}/${k} missing`);
    return t.data as Float32Array;
  };
  const run = await runComfyCase(DIR(), {
    workflowFile: `${name}.workflow_api.json`,
    models: { 'clip_vision/tiny-clip-vision.safetensors': path.join(DIR(), 'tiny-clip-vision.safetensors') },
  });
  runs.push(run);
  // preprocessing: bicubic antialiased resize, crop, 8-bit rounding, CLIP normalisation
  const pixels = clipPreprocess(run.bySlot('1.0') as ImageValue, 32, crop);
  const pre = maxAbsDiff(pixels.data, want('preprocessed_pixels'));
  const out = run.bySlot('3.0') as ClipVisionOutput;
  const errs = {
    pre,
    last: maxAbsDiff(out.lastHiddenState.data, want('3.0.CLIP_VISION_OUTPUT.last_hidden_state')),
    penultimate: maxAbsDiff(out.penultimateHiddenStates.data, want('3.0.CLIP_VISION_OUTPUT.penultimate_hidden_states')),
    embeds: maxAbsDiff(out.imageEmbeds.data, want('3.0.CLIP_VISION_OUTPUT.image_embeds')),
  };
  console.log(`[comfy] ${name}`, errs);
  expect(pre).toBeLessThanOrEqual(1e-5);
  expect(errs.last).toBeLessThanOrEqual(1e-4);
  expect(errs.penultimate).toBeLessThanOrEqual(1e-4);
  expect(errs.embeds).toBeLessThanOrEqual(1e-4);
}

describeGolden('CLIP vision (ComfyUI runs)', () => {
  it('crop center: short side to 32, centre crop', () => check('clip-vision-encode-crop-center', true));
  it('crop none: squashed to 32x32', () => check('clip-vision-encode-crop-none', false));
});
