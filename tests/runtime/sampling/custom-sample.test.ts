import { beforeAll, describe, expect, it } from 'vitest';
import {
  basicGuider,
  cfgDenoiser,
  dualCfg,
  dualCfgSkips,
  cfgGuider,
  generateNoise,
  ModelSamplingDiscrete,
  noiseSeed,
  prepareNoise,
  rescaleCfg,
  sampleCustom,
  samplerNodes,
  TorchGenerator,
  type ModelApply,
} from '@/server/runtime/sampling';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../../helpers/read-golden';

const ms = new ModelSamplingDiscrete('eps');
const shape = [1, 1, 2, 2];

/** Fake eps model: eps = xIn·cond (cond a number), counting calls and their batch sizes. */
function fake(batches: number[]): ModelApply<number> {
  return async (xIn, s, _t, conds) => {
    batches.push(s[0]);
    const per = xIn.length / s[0];
    return Float32Array.from(xIn, (v, i) => v * conds[Math.floor(i / per)]);
  };
}

describe('guiders', () => {
  it('cfgGuider: plain calls keep the cfg-1 shortcut, withUncond runs the uncond pass and returns it', async () => {
    const batches: number[] = [];
    const d = cfgGuider({ modelSampling: ms, model: fake(batches), cond: 0.3, uncond: 0.1, cfg: 1, shape });
    const x = Float32Array.from([1, 2, 3, 4]);
    const plain = await d(x, 2);
    expect(batches).toEqual([1]);
    const both = await d.withUncond!(x, 2);
    expect(batches).toEqual([1, 2]);
    const cIn = 1 / Math.sqrt(5);
    x.forEach((v, i) => {
      expect(plain[i]).toBeCloseTo(v - 2 * v * cIn * 0.3, 5);
      expect(both.denoised[i]).toBeCloseTo(plain[i], 5);
      expect(both.uncondDenoised[i]).toBeCloseTo(v - 2 * v * cIn * 0.1, 5);
    });
  });

  it('basicGuider: one pass on the positive; its uncond prediction is zeros (ComfyUI BasicGuider)', async () => {
    const batches: number[] = [];
    const d = basicGuider({ modelSampling: ms, model: fake(batches), cond: 0.5, shape });
    const r = await d.withUncond!(Float32Array.from([1, 1, 1, 1]), 1);
    expect(batches).toEqual([1]);
    expect(Array.from(r.uncondDenoised)).toEqual([0, 0, 0, 0]);
  });

  it('a postCfg hook runs after the mix and may replace it (RescaleCFG at multiplier 0 is plain CFG)', async () => {
    const x = new TorchGenerator(4).randn([1, 2, 4, 4]);
    const s = [1, 2, 4, 4];
    const plain = await cfgDenoiser({ modelSampling: ms, model: fake([]), cond: 0.7, uncond: 0.2, cfg: 6, shape: s })(x, 3);
    const hooked = await cfgDenoiser({
      modelSampling: ms,
      model: fake([]),
      cond: 0.7,
      uncond: 0.2,
      cfg: 6,
      shape: s,
      postCfg: (a) => rescaleCfg({ ...a, cfg: 6, multiplier: 0, shape: s }),
    })(x, 3);
    hooked.forEach((v, i) => expect(v).toBeCloseTo(plain[i], 4));
    const rescaled = await cfgDenoiser({
      modelSampling: ms,
      model: fake([]),
      cond: 0.7,
      uncond: 0.2,
      cfg: 6,
      shape: s,
      postCfg: (a) => rescaleCfg({ ...a, cfg: 6, multiplier: 1, shape: s }),
    })(x, 3);
    expect(Math.max(...Array.from(rescaled, (v, i) => Math.abs(v - plain[i])))).toBeGreaterThan(1e-2);
  });
});

describe('DualCFGGuider guidance', () => {
  const negative = Float32Array.from([0, 1]);
  const middle = Float32Array.from([1, 1]);
  const positive = Float32Array.from([3, 0]);
  it('regular: neg + (mid − neg)·cfg2 + (pos − mid)·cfg1; nested: neg + cfg2·(CFG(pos, mid, cfg1) − neg)', () => {
    expect(Array.from(dualCfg({ negative, middle, positive, cfgConds: 2, cfgCond2Negative: 3, nested: false }))).toEqual([0 + 3 + 4, 1 + 0 - 2]);
    expect(Array.from(dualCfg({ negative, middle, positive, cfgConds: 2, cfgCond2Negative: 3, nested: true }))).toEqual([15, 1 + 3 * (1 - 2 - 1)]);
  });
  it('skips the negative pass at cfg2 = 1 and the middle one too at cfg1 = 1 (regular style only)', () => {
    expect(dualCfgSkips(8, 1, false)).toEqual({ negative: true, middle: false });
    expect(dualCfgSkips(1, 1, false)).toEqual({ negative: true, middle: true });
    expect(dualCfgSkips(1, 1, true)).toEqual({ negative: false, middle: false });
  });
});

describe('sampleCustom', () => {
  const denoiser = cfgGuider({ modelSampling: ms, model: fake([]), cond: 0.3, uncond: 0.1, cfg: 2, shape });
  const latent = new Float32Array(4);
  const noise = Float32Array.from([0.1, -0.2, 0.3, 0.4]);

  it('empty sigmas return the latent untouched (as ComfyUI guider.sample); a step reports its denoised estimate', async () => {
    const l = Float32Array.from([1, 2, 3, 4]);
    const r = await sampleCustom({ modelSampling: ms, denoiser, sampler: { name: 'euler' }, sigmas: [], latent: l, shape, noise, seed: 0 });
    expect(Array.from(r.samples)).toEqual([1, 2, 3, 4]);
    const steps: number[] = [];
    const r2 = await sampleCustom({
      modelSampling: ms,
      denoiser,
      sampler: { name: 'euler' },
      sigmas: [2, 0],
      latent,
      shape,
      noise,
      seed: 0,
      callback: (i, total) => steps.push(i, total),
    });
    expect(steps).toEqual([1, 1]);
    expect(Array.from(r2.denoised)).toEqual(Array.from(r2.samples)); // euler's last step to 0 lands on the estimate
  });

  it('refuses bad sigmas and mismatched noise clearly', async () => {
    await expect(
      sampleCustom({ modelSampling: ms, denoiser, sampler: { name: 'euler' }, sigmas: [2, Number.NaN], latent, shape, noise, seed: 0 }),
    ).rejects.toThrow(/sigmas\[1\] is NaN/);
    await expect(
      sampleCustom({ modelSampling: ms, denoiser, sampler: { name: 'euler' }, sigmas: [2, -1], latent, shape, noise, seed: 0 }),
    ).rejects.toThrow(/sigmas\[1\] is -1/);
    await expect(
      sampleCustom({ modelSampling: ms, denoiser, sampler: { name: 'euler' }, sigmas: [2, 0], latent, shape, noise: new Float32Array(3), seed: 0 }),
    ).rejects.toThrow(/noise \(3\)/);
    expect(() => samplerNodes.KSamplerSelect({ sampler_name: 'euler_magic' })).toThrow(/unknown sampler "euler_magic"/);
  });

  it('sampler nodes carry their options; the GPU noise device picks the _gpu name', () => {
    expect(samplerNodes.SamplerDPMPP_2M_SDE({ solver_type: 'heun', eta: 0.5, s_noise: 1, noise_device: 'gpu' })).toEqual({
      name: 'dpmpp_2m_sde_gpu',
      options: { solverType: 'heun', eta: 0.5, sNoise: 1 },
    });
    expect(samplerNodes.SamplerLMS({ order: 3 })).toEqual({ name: 'lms', options: { order: 3 } });
    const er = samplerNodes.SamplerER_SDE({ solver_type: 'ODE', max_stage: 2, eta: 1, s_noise: 1 });
    expect(er.options?.sNoise).toBe(0);
    expect(er.options?.noiseScaler?.(3)).toBe(3);
    const tau = samplerNodes.SamplerSASolver(ms, {
      eta: 0.8,
      sde_start_percent: 0.2,
      sde_end_percent: 0.8,
      s_noise: 1,
      predictor_order: 3,
      corrector_order: 4,
      use_pece: false,
      simple_order_2: false,
    }).options!.tau!;
    expect(tau(ms.percentToSigma(0.5))).toBe(0.8);
    expect(tau(ms.sigmaMax)).toBe(0);
  });
});

describe('NOISE', () => {
  it('DisableNoise: zeros and seed 0; RandomNoise: torch.randn from the seed', () => {
    expect(Array.from(generateNoise({ kind: 'disabled' }, [1, 2, 2, 2]))).toEqual(new Array(8).fill(0));
    expect(noiseSeed({ kind: 'disabled' })).toBe(0);
    expect(Array.from(generateNoise({ kind: 'random', seed: 5 }, [1, 4, 4, 4]))).toEqual(Array.from(new TorchGenerator(5).randn([1, 4, 4, 4])));
  });

  it('prepare_noise with batch_index: row k gets draw number batch_index[k]', () => {
    const rows = Array.from({ length: 4 }, () => null);
    const gen = new TorchGenerator(9);
    const draws = rows.map(() => gen.randn([1, 4, 4, 4]));
    const out = prepareNoise(9, [2, 4, 4, 4], [3, 1]);
    expect(Array.from(out.subarray(0, 64))).toEqual(Array.from(draws[3]));
    expect(Array.from(out.subarray(64))).toEqual(Array.from(draws[1]));
    expect(() => prepareNoise(9, [2, 4, 4, 4], [1])).toThrow(/batch_index has 1 entries for a batch of 2/);
  });
});

describeGolden('prepare_noise vs ComfyUI (comfy-nodes/latent_batch)', () => {
  let g: Map<string, GoldenTensor>;
  beforeAll(async () => {
    g = await readGoldenTensors(golden('comfy-nodes', 'latent_batch', 'golden.safetensors'));
  });
  it('LatentFromBatch batch_index [4], seed 73, and a batch of 2 without indices, seed 71', () => {
    expect(Array.from(prepareNoise(73, [1, 4, 8, 8], [4]))).toEqual(Array.from(g.get('10.noise.0')!.data));
    expect(Array.from(prepareNoise(71, [2, 4, 8, 8]))).toEqual(Array.from(g.get('5.noise.0')!.data));
  });
});
