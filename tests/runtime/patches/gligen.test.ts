/** GLIGEN's inputs and its refusals (the numbers end to end are checked against ComfyUI in tests/nodes/gligen-golden.test.ts). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { deriveUNetConfig } from '../../../server/runtime/checkpoint/arch/unet';
import { loadCheckpoint } from '../../../server/runtime/checkpoint/load';
import { stateDictProvider } from '../../../server/runtime/checkpoint/provider';
import { resolvePaths } from '../../../server/config/paths';
import { openCheckpointFile } from '../../../server/runtime/io/checkpoint-file';
import { ModelCache } from '../../../server/runtime/model-cache';
import { buildUNet } from '../../../server/runtime/models/unet';
import { withPrefixedWeights } from '../../../server/runtime/patches/combined-weights';
import { GLIGEN_MAX_OBJS, GLIGEN_POSITION_DIM, gligenRowInputs, readGligen } from '../../../server/runtime/patches/gligen';
import { callNode } from '../../helpers/nodes';
import { describeGolden, golden } from '../../helpers/golden';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-gligen-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('set_position: boxes in latent units become xyxy fractions of the latent, Fourier features and masks; the rest is padding', () => {
  const emb = Float32Array.of(1, 2, 3);
  // a 4x3 box at (2, 1) on an 8x8 latent: x1 0.25, y1 0.125, x2 0.75, y2 0.5
  const r = gligenRowInputs([{ embedding: emb, height: 3, width: 4, y: 1, x: 2 }], 3, 8, 8);
  expect(r.masks[0]).toBe(1);
  expect(r.masks[1]).toBe(0);
  expect(Array.from(r.embeddings.subarray(0, 3))).toEqual([1, 2, 3]);
  // frequency 0 is 100^0 = 1: sin of the four coordinates, then their cos
  const xyxy = [0.25, 0.125, 0.75, 0.5];
  xyxy.forEach((v, c) => {
    expect(r.fourier[c]).toBeCloseTo(Math.sin(v), 6);
    expect(r.fourier[4 + c]).toBeCloseTo(Math.cos(v), 6);
  });
  // the last frequency is 100^(7/8)
  expect(r.fourier[7 * 8]).toBeCloseTo(Math.sin(100 ** (7 / 8) * 0.25), 4);
  expect(r.fourier.length).toBe(GLIGEN_MAX_OBJS * GLIGEN_POSITION_DIM);
  expect(() =>
    gligenRowInputs(
      Array.from({ length: 31 }, () => ({ embedding: emb, height: 1, width: 1, y: 0, x: 0 })),
      3,
      8,
      8,
    ),
  ).toThrow(/at most 30 boxes/);
  expect(() => gligenRowInputs([{ embedding: Float32Array.of(1), height: 1, width: 1, y: 0, x: 0 }], 3, 8, 8)).toThrow(
    /phrase embedding of 1 values for a model taking 3/,
  );
});

it('GLIGENTextBoxApply refuses an SDXL CLIP (GLIGEN phrases are single-tower pooled embeddings)', async () => {
  const o = { paths: resolvePaths({ root: dir }), models: new ModelCache(2 ** 20) };
  const clip = { kind: 'clip', family: 'sdxl', towers: {}, vocab: { modelsDir: dir }, key: 'c', recipe: [] };
  const entry = { family: 'sdxl', cross: { shape: [1, 77, 2048], data: new Float32Array(77 * 2048) } };
  const cond = { kind: 'conditioning', entries: [entry] };
  const gligen = { kind: 'gligen', weights: {}, model: { fusers: [], inDim: 768, keyDim: 768 }, key: 'g', recipe: [] };
  await expect(callNode('GLIGENTextBoxApply', { text: 'a cat' }, { conditioning_to: cond, clip, gligen_textbox_model: gligen }, o)).rejects.toThrow(
    /GLIGEN phrases need an SD1\/SD2 text encoder; this CLIP is sdxl/,
  );
  await expect(
    callNode(
      'GLIGENTextBoxApply',
      { text: 'a cat' },
      { conditioning_to: { ...cond, entries: [entry, { ...entry, family: 'sd1' }] }, clip, gligen_textbox_model: gligen },
      o,
    ),
  ).rejects.toThrow(/the conditioning is sd1 but the CLIP is sdxl/);
});

describeGolden('GLIGEN files', () => {
  const gligenFile = () => golden('comfy-models', 'gligen', 'tiny-gligen-textbox-sd15.safetensors');
  const gligenWeights = async () => stateDictProvider((await openCheckpointFile(gligenFile())).tensors, 'gligen');

  it('reads the fusers in ComfyUI order (transformer_index) with their heads', async () => {
    const m = readGligen(await gligenWeights(), gligenFile());
    expect(m.fusers.map((f) => f.prefix.split('.transformer_blocks')[0])).toEqual([
      'input_blocks.4.1',
      'input_blocks.5.1',
      'input_blocks.7.1',
      'input_blocks.8.1',
      'middle_block.1',
      'output_blocks.0.1',
      'output_blocks.1.1',
      'output_blocks.2.1',
      'output_blocks.3.1',
      'output_blocks.4.1',
      'output_blocks.5.1',
    ]);
    expect(m.fusers.every((f) => f.heads === 1)).toBe(true);
    expect([m.inDim, m.keyDim]).toEqual([128, 128]);
  });

  it('a file that is not a GLIGEN model is refused, naming what it holds', async () => {
    const ck = golden('tiny-sd1', 'model.safetensors');
    const w = stateDictProvider((await openCheckpointFile(ck)).tensors, 'ck');
    expect(() => readGligen(w, ck)).toThrow(/model\.safetensors is not a GLIGEN textbox model \(no position_net\.null_positive_feature; found /);
  });

  it('GLIGEN on a UNet of another family fails when its graph is built, saying so', async () => {
    const sdxl = await loadCheckpoint(golden('tiny-sdxl', 'model.safetensors'));
    const unet = sdxl.provider('unet');
    const gw = await gligenWeights();
    const model = readGligen(gw, gligenFile());
    const weights = withPrefixedWeights(unet, [['gligen.', gw]]);
    expect(() => buildUNet(weights, deriveUNetConfig(unet), { gligen: { prefix: 'gligen.', model } })).toThrow(
      /a GLIGEN model for another model family\?/,
    );
  });
});
