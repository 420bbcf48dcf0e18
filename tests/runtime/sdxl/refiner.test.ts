/**
 * The SDXL refiner against ComfyUI on the tiny refiner (tiny-refiner.ts): CLIPTextEncodeSDXLRefiner and CLIPTextEncode on
 * the refiner CLIP, refiner KSamplers with both aesthetic-score defaults, and a tiny-sdxl base -> refiner hand-off
 * through KSamplerAdvanced. ComfyUI's numbers: fixtures/refiner/refs.json, made by
 * tests/fixtures/comfy-refs/refiner_cases.py (sums and a strided sample of each tensor).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deriveUNetConfig } from '../../../server/runtime/checkpoint/arch/unet';
import { loadCheckpoint } from '../../../server/runtime/checkpoint/load';
import { cachedUnetFile } from '../../../server/runtime/loaders/unet-file';
import { checkpointHandles } from '../../../server/runtime/loaders/checkpoint';
import { saveCheckpoint } from '../../../server/runtime/checkpoint/save-handles';
import { ModelCache } from '../../../server/runtime/model-cache';
import type { Conditioning } from '../../../server/runtime/handles';
import type { ImageValue, LatentValue } from '../../../server/runtime/values';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';
import { refinerVector } from '../../../server/runtime/text/sdxl-size-cond';
import { runComfyCase, type CaseRun } from '../../helpers/comfy-case';
import { callNode } from '../../helpers/nodes';
import { describeGolden } from '../../helpers/golden';
import { writeTinyRefiner } from './tiny-refiner';

interface Summary {
  shape: number[];
  sum: number;
  absSum: number;
  maxAbs: number;
  stride: number;
  values: number[];
}
interface CaseRefs {
  conditioning: Record<string, Record<string, number>[]>;
  tensors: Record<string, Summary>;
}
const FIXTURES = path.join(__dirname, 'fixtures', 'refiner');
const refs = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'refs.json'), 'utf8')) as Record<string, CaseRefs> & {
  unet: { tensors: number; sum: number };
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-refiner-'));
const refinerFile = path.join(tmp, 'tiny-refiner.safetensors');
afterAll(async () => {
  await sessionCache.clear();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** max |ours − ComfyUI| over the sampled values, relative to the tensor's max |x|; sums checked alongside. */
function compare(data: Float32Array, s: Summary): { sampleErr: number; sumErr: number } {
  expect(data.length).toBe(s.shape.reduce((a, b) => a * b, 1));
  let sampleErr = 0;
  s.values.forEach((v, i) => {
    sampleErr = Math.max(sampleErr, Math.abs(data[i * s.stride] - v));
  });
  let sum = 0;
  let absSum = 0;
  for (const v of data) {
    sum += v;
    absSum += Math.abs(v);
  }
  return { sampleErr: sampleErr / s.maxAbs, sumErr: Math.max(Math.abs(sum - s.sum), Math.abs(absSum - s.absSum)) / (s.maxAbs * data.length) };
}

const tensorOf = (run: CaseRun, key: string): Float32Array => {
  const [node, slot, entry, field] = key.split('.');
  const v = run.bySlot(`${node}.${slot}`);
  if (field === 'cond') return (v as Conditioning).entries[Number(entry)].cross.data;
  if (field === 'pooled_output') return (v as Conditioning).entries[Number(entry)].pooled!.data;
  if (entry === 'samples') return (v as LatentValue).samples.data;
  return (v as ImageValue).data;
};

describeGolden('SDXL refiner vs ComfyUI (tiny refiner)', () => {
  const runs = new Map<string, CaseRun>();
  beforeAll(async () => {
    const unet = await writeTinyRefiner(refinerFile);
    let sum = 0;
    for (const t of unet.values()) for (const v of t.data) sum += v;
    // the generator script drew the same floats
    expect([unet.size, sum]).toEqual([refs.unet.tensors, expect.closeTo(refs.unet.sum, 6)]);
    for (const name of ['refiner-sample', 'base-refiner']) {
      runs.set(
        name,
        await runComfyCase(FIXTURES, { workflowFile: `${name}.workflow_api.json`, models: { 'checkpoints/tiny-refiner.safetensors': refinerFile } }),
      );
    }
  }, 600_000);
  afterAll(() => {
    for (const r of runs.values()) r.root.cleanup();
  });

  it('is detected as sdxl_refiner with the clip_g tower only and a 1408-wide adm', async () => {
    const c = await loadCheckpoint(refinerFile);
    expect([c.family, c.variant, Object.keys(c.components).sort()]).toEqual(['sdxl_refiner', 'normal', ['clip_g', 'unet', 'vae']]);
    expect(c.components.unet!.get('label_emb.0.0.weight')!.shape).toEqual([128, 1408]);
    // the refiner's shape of UNet (real: [0, 4, 4, 0], middle 4, context 1280, adm 2560), read from the tensors
    expect(deriveUNetConfig(c.provider('unet'))).toMatchObject({
      channelMult: [1, 2, 2, 2],
      transformerDepth: [0, 2, 2, 0],
      transformerDepthMiddle: 2,
      contextDim: 128,
      admInChannels: 1408,
      linearProjection: true,
    });
    // UNETLoader on the same weights: the label_emb takes the context width + 5 × 256 (the real refiner: 2560)
    expect((await cachedUnetFile(new ModelCache(1e9), refinerFile)).family).toBe('sdxl_refiner');
  });

  it('a saved refiner (CheckpointSave layout) loads back as a refiner with the same tensors', async () => {
    const c = await loadCheckpoint(refinerFile);
    const h = checkpointHandles(c, path.join(tmp, 'models'));
    const saved = path.join(tmp, 'saved-refiner.safetensors');
    await saveCheckpoint({ ...h, file: saved, metadata: {} });
    const back = await loadCheckpoint(saved);
    expect(back.family).toBe('sdxl_refiner');
    for (const k of ['unet', 'clip_g', 'vae'] as const) expect([k, back.components[k]?.size]).toEqual([k, c.components[k]?.size]);
  });

  it('CLIPTextEncodeSDXLRefiner, CLIPTextEncode and CLIPTextEncodeSDXL on the refiner CLIP: cond, pooled and fields as ComfyUI', () => {
    const r = runs.get('refiner-sample')!;
    const keys = [
      '2.0.0.cond',
      '2.0.0.pooled_output',
      '3.0.0.pooled_output',
      '4.0.0.cond',
      '4.0.0.pooled_output',
      '9.0.0.cond',
      '9.0.0.pooled_output',
    ];
    for (const key of keys) {
      const { sampleErr, sumErr } = compare(tensorOf(r, key), refs['refiner-sample'].tensors[key]);
      expect(Math.max(sampleErr, sumErr), key).toBeLessThan(1e-5);
    }
    // ComfyUI's option names for the fields each node sets
    const names = [
      ['aestheticScore', 'aesthetic_score'],
      ['width', 'width'],
      ['height', 'height'],
      ['cropW', 'crop_w'],
      ['cropH', 'crop_h'],
      ['targetWidth', 'target_width'],
      ['targetHeight', 'target_height'],
    ] as const;
    const fields = (id: string) => {
      const e = (r.bySlot(`${id}.0`) as Conditioning).entries[0];
      return Object.fromEntries(names.filter(([ours]) => e[ours] !== undefined).map(([ours, comfy]) => [comfy, e[ours]]));
    };
    for (const id of ['2', '3', '4', '5', '9']) expect(fields(id)).toEqual(refs['refiner-sample'].conditioning[`${id}.0`][0]);
  });

  it('refiner KSampler: explicit aesthetic scores and the positive 6 / negative 2.5 defaults as ComfyUI', () => {
    const r = runs.get('refiner-sample')!;
    for (const key of ['7.0.samples', '8.0.samples']) {
      const { sampleErr, sumErr } = compare(tensorOf(r, key), refs['refiner-sample'].tensors[key]);
      expect(Math.max(sampleErr, sumErr), key).toBeLessThan(2e-4);
    }
  });

  it('base -> refiner (KSamplerAdvanced hand-off with leftover noise, refiner VAE) as ComfyUI', () => {
    const r = runs.get('base-refiner')!;
    for (const key of ['5.0.0.cond', '5.0.0.pooled_output', '8.0.samples', '9.0.samples', '10.0']) {
      const { sampleErr, sumErr } = compare(tensorOf(r, key), refs['base-refiner'].tensors[key]);
      expect(Math.max(sampleErr, sumErr), key).toBeLessThan(2e-4);
    }
    // negative control: the refiner's steps move the latent far more than the tolerance (skipping them would fail)
    expect(compare(tensorOf(r, '8.0.samples'), refs['base-refiner'].tensors['9.0.samples']).sampleErr).toBeGreaterThan(1e-2);
  });

  it('base and refiner conditionings crossed over: an error naming both models and what to do', async () => {
    const r = runs.get('base-refiner')!;
    const sample = (model: string, cond: string) =>
      callNode(
        'KSampler',
        { seed: 1, steps: 1, cfg: 1, sampler_name: 'euler', scheduler: 'normal', denoise: 1 },
        { model: r.bySlot(`${model}.0`), positive: r.bySlot(`${cond}.0`), negative: r.bySlot(`${cond}.0`), latent_image: r.bySlot('7.0') },
        { paths: r.root.paths, models: new ModelCache(1e9) },
      );
    await expect(sample('2', '3')).rejects.toThrow(
      /positive: the conditioning was encoded with the SDXL base CLIP \(192 wide\) but the model is the SDXL refiner \(takes 128\): encode this sampler's prompts with the SDXL refiner checkpoint's CLIP/,
    );
    await expect(sample('1', '5')).rejects.toThrow(/encoded with the SDXL refiner CLIP \(128 wide\) but the model is the SDXL base \(takes 192\)/);
  });

  it('negative control: the refiner vector moves with the aesthetic score (6 vs 2.5)', () => {
    const pooled = { data: new Float32Array(128).fill(0.5), shape: [1, 128] };
    const sizes = { height: 64, width: 64, cropH: 0, cropW: 0 };
    const a = refinerVector(pooled, sizes, 6);
    const b = refinerVector(pooled, sizes, 2.5);
    expect(a.length).toBe(128 + 5 * 256);
    expect(Array.from(a.subarray(0, 128 + 4 * 256))).toEqual(Array.from(b.subarray(0, 128 + 4 * 256)));
    expect(a.subarray(128 + 4 * 256).some((v, i) => Math.abs(v - b[128 + 4 * 256 + i]) > 0.1)).toBe(true);
  });
});
