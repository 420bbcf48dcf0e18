/**
 * StyleModelLoader + StyleModelApply against ComfyUI's StyleAdapter and StyleModelApply (tests/fixtures/comfy-refs/style_model.py):
 * a tiny adapter (width 64, context 32, 3 layers, 8 tokens; ComfyUI's 8 heads) with formula weights and inputs the
 * test writes itself, so no model file is needed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { resolvePaths } from '../../server/config/paths';
import type { Conditioning } from '../../server/runtime/handles';
import { writeSafetensors } from '../../server/runtime/io/safetensors-write';
import { ModelCache } from '../../server/runtime/model-cache';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import { relErr } from '../helpers/comfy-case';
import { callNode } from '../helpers/nodes';

const W = 64;
const CTX = 32;
const SHAPES: Record<string, number[]> = {
  'ln_post.bias': [W],
  'ln_post.weight': [W],
  'ln_pre.bias': [W],
  'ln_pre.weight': [W],
  proj: [W, CTX],
  style_embedding: [1, 8, W],
};
for (let i = 0; i < 3; i++) {
  const p = `transformer_layes.${i}`;
  Object.assign(SHAPES, {
    [`${p}.attn.in_proj_bias`]: [3 * W],
    [`${p}.attn.in_proj_weight`]: [3 * W, W],
    [`${p}.attn.out_proj.bias`]: [W],
    [`${p}.attn.out_proj.weight`]: [W, W],
    [`${p}.ln_1.bias`]: [W],
    [`${p}.ln_1.weight`]: [W],
    [`${p}.ln_2.bias`]: [W],
    [`${p}.ln_2.weight`]: [W],
    [`${p}.mlp.c_fc.bias`]: [4 * W],
    [`${p}.mlp.c_fc.weight`]: [4 * W, W],
    [`${p}.mlp.c_proj.bias`]: [W],
    [`${p}.mlp.c_proj.weight`]: [W, 4 * W],
  });
}

/** make.py's weights: tensor t (in sorted name order), element i: ((i·7919 + t·104729) mod 2001 − 1000) / 8192, LayerNorm weights + 1 */
function weightsOf(name: string, t: number): Float32Array {
  const n = SHAPES[name].reduce((a, b) => a * b, 1);
  const ln = name.endsWith('.weight') && (name.split('.').at(-2) ?? '').startsWith('ln_');
  return Float32Array.from({ length: n }, (_, i) => (((i * 7919 + t * 104729) % 2001) - 1000) / 8192 + (ln ? 1 : 0));
}

/** ComfyUI's output: the 8·2 style tokens after the 77 text tokens, 16 evenly spaced values and Σ|x| (strength 0.75) */
const COMFY_STYLE = [
  0.1657952, -0.3141394, -0.09469303, 0.06406638, -0.004829913, -0.5307937, -0.3689018, 0.2366028, 0.1658634, -0.3156707, -0.08981115, 0.06344259,
  -0.005594945, -0.5304623, -0.3675877, 0.2369926,
];
const COMFY_ABS_SUM = 165.8546;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-style-'));
afterAll(async () => {
  await sessionCache.clear();
  fs.rmSync(dir, { recursive: true, force: true });
});
const paths = resolvePaths({ root: dir });
const o = { paths, models: new ModelCache(2 ** 28) };

async function writeStyleModel(file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const names = Object.keys(SHAPES).sort();
  await writeSafetensors(
    file,
    names.map((name, t) => ({
      name,
      dtype: 'F32' as const,
      shape: SHAPES[name],
      data: async () => new Uint8Array(weightsOf(name, t).buffer),
    })),
  );
}

const hidden = Float32Array.from({ length: 2 * 5 * W }, (_, i) => (((i * 31) % 97) - 48) / 32);
const text = Float32Array.from({ length: 77 * CTX }, (_, i) => (((i * 17) % 89) - 44) / 64);
const vision = (h: Float32Array, width = W) => ({
  kind: 'clip_vision_output',
  lastHiddenState: { data: h, shape: [2, 5, width] },
  penultimateHiddenStates: { data: h, shape: [2, 5, width] },
  imageEmbeds: { data: new Float32Array(2 * 4), shape: [2, 4] },
});
const cond: Conditioning = { kind: 'conditioning', entries: [{ family: 'sd1', cross: { data: text, shape: [1, 77, CTX] } }] };

it('StyleModelApply appends ComfyUI’s style tokens (two images, strength 0.75 multiply) after the text tokens', async () => {
  await writeStyleModel(path.join(paths.models, 'style_models', 'tiny-style.safetensors'));
  const { outputs } = await callNode('StyleModelLoader', { style_model_name: 'tiny-style.safetensors' }, {}, o);
  const style_model = outputs.STYLE_MODEL;
  const r = await callNode(
    'StyleModelApply',
    { strength: 0.75, strength_type: 'multiply' },
    { conditioning: cond, style_model, clip_vision_output: vision(hidden) },
    o,
  );
  const out = (r.outputs.CONDITIONING as Conditioning).entries[0];
  expect(out.cross.shape).toEqual([1, 77 + 16, CTX]);
  expect(Array.from(out.cross.data.subarray(0, text.length))).toEqual(Array.from(text));
  const style = out.cross.data.subarray(text.length);
  const picks = Array.from({ length: 16 }, (_, i) => style[i * (style.length / 16)]);
  const err = relErr(picks, COMFY_STYLE);
  console.log(`[comfy] style tokens rel err ${err.toExponential(2)}`);
  expect(err).toBeLessThan(1e-5);
  expect(Math.abs(style.reduce((s, v) => s + Math.abs(v), 0) - COMFY_ABS_SUM) / COMFY_ABS_SUM).toBeLessThan(1e-5);

  // attn_bias at strength 1 adds no bias: the tokens unscaled (= multiply at 1)
  const atOne = await callNode(
    'StyleModelApply',
    { strength: 1, strength_type: 'attn_bias' },
    { conditioning: cond, style_model, clip_vision_output: vision(hidden) },
    o,
  );
  const s1 = (atOne.outputs.CONDITIONING as Conditioning).entries[0].cross.data.subarray(text.length);
  expect(s1[0]).toBeCloseTo(COMFY_STYLE[0] / 0.75, 5);

  // bad input, each named
  await expect(
    callNode(
      'StyleModelApply',
      { strength: 0.5, strength_type: 'attn_bias' },
      { conditioning: cond, style_model, clip_vision_output: vision(hidden) },
      o,
    ),
  ).rejects.toThrow(/attn_bias" with a strength other than 1 needs attention masks/);
  await expect(
    callNode(
      'StyleModelApply',
      { strength: 1, strength_type: 'multiply' },
      { conditioning: cond, style_model, clip_vision_output: vision(new Float32Array(2 * 5 * 32), 32) },
      o,
    ),
  ).rejects.toThrow(/CLIP vision output \[2, 5, 32\], expected \[batch, tokens, 64\]/);
  const wide = { ...cond, entries: [cond.entries[0], { ...cond.entries[0], cross: { data: new Float32Array(77 * 16), shape: [1, 77, 16] } }] };
  await expect(
    callNode(
      'StyleModelApply',
      { strength: 1, strength_type: 'multiply' },
      { conditioning: wide, style_model, clip_vision_output: vision(hidden) },
      o,
    ),
  ).rejects.toThrow(/makes 32-wide tokens but the conditioning \(entry 2\) is 16 wide/);
  // ComfyUI's torch.cat needs a batch of 1 in each entry
  const batch2 = { ...cond, entries: [{ ...cond.entries[0], cross: { data: new Float32Array(2 * text.length), shape: [2, 77, CTX] } }] };
  await expect(
    callNode(
      'StyleModelApply',
      { strength: 1, strength_type: 'multiply' },
      { conditioning: batch2, style_model, clip_vision_output: vision(hidden) },
      o,
    ),
  ).rejects.toThrow(/the conditioning holds a batch of 2/);
  // every entry gets the tokens (ComfyUI loops over the list)
  const two = await callNode(
    'StyleModelApply',
    { strength: 0.75, strength_type: 'multiply' },
    { conditioning: { ...cond, entries: [cond.entries[0], { ...cond.entries[0], strength: 0.5 }] }, style_model, clip_vision_output: vision(hidden) },
    o,
  );
  const both = (two.outputs.CONDITIONING as Conditioning).entries;
  expect(both.map((e) => [e.cross.shape[1], e.strength])).toEqual([
    [77 + 16, undefined],
    [77 + 16, 0.5],
  ]);
  expect(Array.from(both[1].cross.data)).toEqual(Array.from(out.cross.data));
});

it('StyleModelLoader refuses a file that is not a style adapter, naming what it holds', async () => {
  const file = path.join(paths.models, 'style_models', 'other.safetensors');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await writeSafetensors(file, [{ name: 'control_model.zero.weight', dtype: 'F32', shape: [2], data: async () => new Uint8Array(8) }]);
  await expect(callNode('StyleModelLoader', { style_model_name: 'other.safetensors' }, {}, o)).rejects.toThrow(
    /other\.safetensors: no style_embedding: not a T2I style adapter \(found control_model\)/,
  );
});
