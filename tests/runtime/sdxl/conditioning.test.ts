/** SDXL conditioning (context, pooled, size vector) through the pipeline's text encode and the CLIPTextEncodeSDXL node, against tiny-sdxl goldens. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resolvePaths } from '../../../server/config/paths';
import { callNode } from '../../helpers/nodes';
import { loadCheckpoint } from '../../../server/runtime/checkpoint/load';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';
import { checkpointHandles } from '../../../server/runtime/loaders/checkpoint';
import { isConditioning, type ClipHandle, type CondEntry } from '../../../server/runtime/handles';
import { sdxlAdm } from '../../../server/runtime/text/sdxl-size-cond';
import { sdxlVector, sdxlVectorFor } from '../../../server/runtime/text/sdxl-size-cond';
import { encodeText } from '../../../server/runtime/text/encode-clip';
import { ModelCache } from '../../../server/runtime/model-cache';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../../helpers/read-golden';
import { cols, maxAbsDiff } from './helpers';

const TOL = 1e-4;
const ROW = 77 * 192;
const CAT = 'a photo of a cat';
/** cond2: (height, width) = (96, 128), crop (top, left) = (8, 16), target (64, 80) */
const COND2 = { width: 128, height: 96, crop_w: 16, crop_h: 8, target_width: 80, target_height: 64 };

describeGolden('tiny-sdxl conditioning: context, pooled, size vector (ComfyUI defaults and CLIPTextEncodeSDXL)', () => {
  let g: Map<string, GoldenTensor>;
  let clip: ClipHandle;
  let models: ModelCache;
  let tmp: string;
  const saved = { cache: process.env.LOOM_CACHE_DIR, vocab: process.env.LOOM_CLIP_VOCAB };
  const gold = (k: string) => {
    const v = g.get(k);
    if (!v) throw new Error(`golden ${k} missing`);
    return v.data as Float32Array;
  };
  const node = async (params: Record<string, string | number>, withClip: ClipHandle = clip): Promise<CondEntry> => {
    const { outputs } = await callNode('CLIPTextEncodeSDXL', params, { clip: withClip }, { paths: resolvePaths({ root: tmp }), models });
    if (!isConditioning(outputs.CONDITIONING)) throw new Error('CLIPTextEncodeSDXL returned no conditioning');
    expect(outputs.CONDITIONING.entries).toHaveLength(1);
    return outputs.CONDITIONING.entries[0];
  };
  const encode = async (text: string) => (await encodeText(models, clip, text)).entries[0];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-sdxl-cond-'));
    process.env.LOOM_CACHE_DIR = path.join(tmp, 'weights');
    process.env.LOOM_CLIP_VOCAB = golden('clip');
    g = await readGoldenTensors(golden('tiny-sdxl', 'golden.safetensors'));
    const ck = await loadCheckpoint(golden('tiny-sdxl', 'model.safetensors'));
    clip = checkpointHandles(ck, path.join(tmp, 'models')).clip;
    models = new ModelCache(1e9);
  });
  afterAll(async () => {
    await sessionCache.clear();
    for (const [k, v] of [
      ['LOOM_CACHE_DIR', saved.cache],
      ['LOOM_CLIP_VOCAB', saved.vocab],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('plain text encode: cond.crossattn, cond.pooled and cond.vector with the 8x8-latent defaults', async () => {
    const pos = await encode(CAT);
    const neg = await encode('');
    expect(pos.cross.shape).toEqual([1, 77, 192]);
    const errs = {
      crossattnPos: maxAbsDiff(pos.cross.data, gold('cond.crossattn').subarray(0, ROW)),
      crossattnNeg: maxAbsDiff(neg.cross.data, gold('cond.crossattn').subarray(ROW, 2 * ROW)),
      pooled: maxAbsDiff([...pos.pooled!.data, ...neg.pooled!.data], gold('cond.pooled')),
      vectorColleague: maxAbsDiff([...sdxlAdm(pos.pooled!, [1, 4, 8, 8]), ...sdxlAdm(neg.pooled!, [1, 4, 8, 8])], gold('cond.vector')),
      vectorSized: maxAbsDiff([...sdxlVectorFor(pos, [1, 4, 8, 8]), ...sdxlVectorFor(neg, [1, 4, 8, 8])], gold('cond.vector')),
    };
    console.log('sdxl conditioning max |err|', errs);
    for (const [k, e] of Object.entries(errs)) expect(e, k).toBeLessThanOrEqual(TOL);
  });

  it('the default sizes follow the latent: unet2 (8x12 latent, "") gets height 64, width 96', async () => {
    const neg = await encode('');
    expect(maxAbsDiff(sdxlVectorFor(neg, [1, 4, 8, 12]), gold('unet2.y'))).toBeLessThanOrEqual(TOL);
  });

  it('CLIPTextEncodeSDXL with sizes (96,128), (8,16), (64,80) gives cond2.vector', async () => {
    expect(Array.from(gold('cond2.original_size_as_tuple'))).toEqual([96, 128]);
    expect(Array.from(gold('cond2.crop_coords_top_left'))).toEqual([8, 16]);
    expect(Array.from(gold('cond2.target_size_as_tuple'))).toEqual([64, 80]);
    const c = await node({ ...COND2, text_g: CAT, text_l: CAT });
    expect([c.width, c.height, c.cropW, c.cropH, c.targetWidth, c.targetHeight]).toEqual([128, 96, 16, 8, 80, 64]);
    // the latent shape must not matter once the node has set sizes
    const y = sdxlVectorFor(c, [1, 4, 128, 128]);
    const err = maxAbsDiff(y, gold('cond2.vector'));
    console.log('cond2.vector max |err|', err, 'context', maxAbsDiff(c.cross.data, gold('cond.crossattn').subarray(0, ROW)));
    expect(err).toBeLessThanOrEqual(TOL);
    expect(maxAbsDiff(c.cross.data, gold('cond.crossattn').subarray(0, ROW))).toBeLessThanOrEqual(TOL);
    // swapping width and height is a different conditioning (golden README: up to 2.0)
    const swapped = sdxlVector(c.pooled!, { height: 128, width: 96, cropH: 16, cropW: 8, targetHeight: 80, targetWidth: 64 });
    expect(maxAbsDiff(swapped, gold('cond2.vector'))).toBeGreaterThan(0.5);
  });

  it('text_l feeds CLIP-L columns, text_g the bigG columns and the pooled vector', async () => {
    const c = await node({ ...COND2, text_g: CAT, text_l: '' });
    const ctx = gold('cond.crossattn');
    expect(maxAbsDiff(cols(c.cross.data, 192, 0, 64), cols(ctx.subarray(ROW, 2 * ROW), 192, 0, 64))).toBeLessThanOrEqual(TOL);
    expect(maxAbsDiff(cols(c.cross.data, 192, 64, 192), cols(ctx.subarray(0, ROW), 192, 64, 192))).toBeLessThanOrEqual(TOL);
    expect(maxAbsDiff(c.pooled!.data, gold('cond.pooled').subarray(0, 128))).toBeLessThanOrEqual(TOL);
  });

  it('a longer text_l pads text_g with empty-prompt chunks (ComfyUI tokenize("") padding)', async () => {
    const long = Array.from({ length: 20 }, () => CAT).join(', ');
    const c = await node({ ...COND2, text_g: CAT, text_l: long });
    expect(c.cross.shape).toEqual([1, 154, 192]);
    const ctx = gold('cond.crossattn');
    const gPart = cols(c.cross.data, 192, 64, 192);
    expect(maxAbsDiff(gPart.subarray(0, 77 * 128), cols(ctx.subarray(0, ROW), 192, 64, 192))).toBeLessThanOrEqual(TOL);
    expect(maxAbsDiff(gPart.subarray(77 * 128), cols(ctx.subarray(ROW, 2 * ROW), 192, 64, 192))).toBeLessThanOrEqual(TOL);
    const plainLong = await encode(long);
    expect(maxAbsDiff(cols(c.cross.data, 192, 0, 64), cols(plainLong.cross.data, 192, 0, 64))).toBeLessThanOrEqual(1e-6);
  });

  it('refuses a CLIP that is not SDXL base, naming what it got', async () => {
    const sd1: ClipHandle = { ...clip, family: 'sd1', towers: { clip: clip.towers.clip_l } };
    await expect(node({}, sd1)).rejects.toThrow(/needs an SDXL base CLIP.*sd1 CLIP with clip towers/);
  });

  it('a refiner CLIP (clip_g only) encodes text_g alone, as SDXLRefinerClipModel; a longer text_l adds empty chunks', async () => {
    const refiner: ClipHandle = { ...clip, family: 'sdxl_refiner', towers: { clip_g: clip.towers.clip_g } };
    const c = await node({ ...COND2, text_g: CAT, text_l: 'not encoded' }, refiner);
    expect(c.cross.shape).toEqual([1, 77, 128]);
    const gCols = cols(gold('cond.crossattn'), 192, 64, 192);
    expect(maxAbsDiff(c.cross.data, gCols.subarray(0, 77 * 128))).toBeLessThanOrEqual(TOL);
    expect(maxAbsDiff(c.pooled!.data, gold('cond.pooled').subarray(0, 128))).toBeLessThanOrEqual(TOL);
    expect(c).toMatchObject({ family: 'sdxl_refiner', width: 128, height: 96, cropW: 16, cropH: 8, targetWidth: 80, targetHeight: 64 });
    const padded = await node({ ...COND2, text_g: CAT, text_l: Array.from({ length: 20 }, () => CAT).join(', ') }, refiner);
    expect(padded.cross.shape).toEqual([1, 154, 128]);
    expect(maxAbsDiff(padded.cross.data.subarray(77 * 128), gCols.subarray(77 * 128))).toBeLessThanOrEqual(TOL);
  });
});
