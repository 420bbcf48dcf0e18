/**
 * KSampler's initial noise for batches (comfy.sample.prepare_noise, server/runtime/sampling/noise.ts, which KSampler now
 * uses with the latent's batch_index): whole-batch randn without it, one draw per index up to the largest with it. Against the noise ComfyUI drew in the comfy-nodes goldens,
 * and against inline values from our harness run (make_cases.py gen_latent_ops: LatentFromBatch, LatentBatch,
 * RepeatLatentBatch into KSampler; `<node>.noise.0` of its golden, summarised with math.fsum).
 */
import { describe, expect, it } from 'vitest';
import { prepareNoise } from '../../../server/runtime/sampling/noise';
import { TorchGenerator } from '../../../server/runtime/sampling/rng';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors } from '../../helpers/read-golden';

const fsum = (a: ArrayLike<number>, sq = false) => {
  let s = 0;
  let c = 0;
  for (let i = 0; i < a.length; i++) {
    const v = sq ? a[i] * a[i] : a[i];
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
};

describe('prepareNoise', () => {
  it('draws per batch index, skipping unused ones and repeating duplicates (ComfyUI harness values)', () => {
    const cases: { seed: number; bi: number[]; sum: number; sumsq: number; at: Record<number, number> }[] = [
      {
        seed: 82,
        bi: [1, 2],
        sum: -25.309536215965636,
        sumsq: 516.8347720282882,
        at: { 0: 0.2111232578754425, 255: 0.42615798115730286, 256: 0.19838951528072357, 511: 0.3164466917514801 },
      },
      {
        seed: 83,
        bi: [1, 2, 0, 1, 2],
        sum: -2.4431849741376936,
        sumsq: 1265.9314732010514,
        at: { 0: 1.4350557327270508, 255: 1.0528868436813354, 256: -1.4869192838668823, 1279: 0.8212646245956421 },
      },
      {
        seed: 84,
        bi: [1, 2, 3, 4],
        sum: -60.17806811418268,
        sumsq: 1034.6592587313223,
        at: { 0: -0.7191444635391235, 255: -0.4046556055545807, 256: -0.38077735900878906, 1023: -1.6757103204727173 },
      },
    ];
    for (const c of cases) {
      const noise = prepareNoise(c.seed, [c.bi.length, 4, 8, 8], c.bi);
      for (const [i, v] of Object.entries(c.at)) expect(noise[Number(i)], `seed ${c.seed} [${i}]`).toBe(Math.fround(v));
      expect(fsum(noise)).toBeCloseTo(c.sum, 9);
      expect(fsum(noise, true)).toBeCloseTo(c.sumsq, 8);
    }
    // duplicates share their draw: samples 0 and 3 of [1, 2, 0, 1, 2] are both index 1
    const dup = prepareNoise(83, [5, 4, 8, 8], [1, 2, 0, 1, 2]);
    expect(dup.subarray(3 * 256, 4 * 256)).toEqual(dup.subarray(0, 256));
    // and is not the whole-batch draw
    expect(dup).not.toEqual(new TorchGenerator(83).randn([5, 4, 8, 8]));
  });

  it('without batch_index it is one torch.randn of the whole shape', () => {
    expect(prepareNoise(9, [3, 4, 5, 6])).toEqual(new TorchGenerator(9).randn([3, 4, 5, 6]));
  });

  it('refuses a batch_index that does not match the batch', () => {
    expect(() => prepareNoise(1, [2, 4, 8, 8], [0])).toThrow(/1 entries for a batch of 2/);
    expect(() => prepareNoise(1, [1, 4, 8, 8], [-1])).toThrow(/integers ≥ 0/);
  });
});

describeGolden('prepareNoise against ComfyUI (comfy-nodes/latent_batch)', () => {
  it('matches the noise each KSampler drew, bit for bit', async () => {
    const g = await readGoldenTensors(golden('comfy-nodes', 'latent_batch', 'golden.safetensors'));
    // 5: EmptyLatentImage batch 2, seed 71; 8: RepeatLatentBatch x3 (no batch_index), seed 72; 10: LatentFromBatch(4), seed 73
    const cases: [string, number, number[] | undefined][] = [
      ['5', 71, undefined],
      ['8', 72, undefined],
      ['10', 73, [4]],
    ];
    for (const [node, seed, bi] of cases) {
      const ref = g.get(`${node}.noise.0`);
      if (!ref) throw new Error(`golden ${node}.noise.0 missing`);
      expect(Array.from(prepareNoise(seed, ref.shape, bi)), `node ${node}`).toEqual(Array.from(ref.data));
    }
  });
});
