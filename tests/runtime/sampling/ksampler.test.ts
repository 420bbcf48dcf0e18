import { describe, expect, it } from 'vitest';
import { cfgDenoiser, type ModelApply } from '@/server/runtime/sampling/cfg';
import { kSample, ksamplerSigmas } from '@/server/runtime/sampling/ksampler';
import { processLatentIn, processLatentOut } from '@/server/runtime/sampling/latent-format';
import { ModelSamplingDiscrete } from '@/server/runtime/sampling/model-sampling';
import { latentPreview } from '@/server/runtime/sampling/preview';
import { TorchGenerator } from '@/server/runtime/sampling/rng';
import { sample, SamplingCancelled } from '@/server/runtime/sampling/samplers';
import { seededNoise } from '@/server/runtime/sampling/noise';
import { calculateSigmas } from '@/server/runtime/sampling/schedules';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors } from '../../helpers/read-golden';

const ms = new ModelSamplingDiscrete('eps');
const shape = [1, 4, 4, 4];

interface Call {
  xIn: Float32Array;
  shape: readonly number[];
  t: number;
  conds: readonly number[];
}

/** Fake eps model: eps = xIn·cond (cond is a number), recording every call. */
function fakeModel(calls: Call[]): ModelApply<number> {
  return async (xIn, s, t, conds) => {
    calls.push({ xIn: Float32Array.from(xIn), shape: s, t, conds });
    const per = xIn.length / s[0];
    return Float32Array.from(xIn, (v, i) => v * conds[Math.floor(i / per)]);
  };
}

describe('cfgDenoiser', () => {
  it('runs [uncond, cond] in one call and mixes denoised outputs', async () => {
    const calls: Call[] = [];
    const d = cfgDenoiser({ modelSampling: ms, model: fakeModel(calls), cond: 0.3, uncond: 0.1, cfg: 7.5, shape });
    const x = new TorchGenerator(3).randn(shape);
    const sigma = ms.sigma(400);
    const out = await d(x, sigma);
    expect(calls).toHaveLength(1);
    expect(calls[0].shape).toEqual([2, 4, 4, 4]);
    expect(calls[0].conds).toEqual([0.1, 0.3]);
    expect(calls[0].t).toBe(400);
    const cIn = 1 / Math.sqrt(sigma * sigma + 1);
    x.forEach((v, i) => {
      const du = v - sigma * v * cIn * 0.1;
      const dc = v - sigma * v * cIn * 0.3;
      expect(out[i]).toBeCloseTo(du + (dc - du) * 7.5, 4);
      expect(calls[0].xIn[i]).toBeCloseTo(v * cIn, 6);
    });
  });

  it('skips the uncond pass at cfg 1 and supports v-prediction', async () => {
    const calls: Call[] = [];
    const v = new ModelSamplingDiscrete('v_prediction');
    const d = cfgDenoiser({ modelSampling: v, model: fakeModel(calls), cond: 0.5, uncond: 9, cfg: 1, shape });
    const x = Float32Array.from({ length: 64 }, (_, i) => i / 10 - 3);
    const sigma = 2;
    const out = await d(x, sigma);
    expect(calls[0].shape[0]).toBe(1);
    const cIn = 1 / Math.sqrt(5);
    // v-prediction: denoised = x·σd²/(σ²+σd²) − model·σ·σd/√(σ²+σd²), σd = 1.
    x.forEach((xi, i) => expect(out[i]).toBeCloseTo(xi / 5 - xi * cIn * 0.5 * (2 / Math.sqrt(5)), 5));
  });
});

describe('KSampler sigma semantics', () => {
  it('denoise < 1 takes the tail of a longer schedule', () => {
    const full = calculateSigmas(ms, 'normal', 20);
    expect(Array.from(ksamplerSigmas(ms, 'euler', 'normal', 10, { denoise: 0.5 }))).toEqual(Array.from(full.slice(-11)));
    expect(ksamplerSigmas(ms, 'euler', 'normal', 10, { denoise: 0 })).toHaveLength(0);
  });

  it('start/end steps slice, force_full_denoise zeroes the last sigma', () => {
    const full = calculateSigmas(ms, 'karras', 10);
    const cut = ksamplerSigmas(ms, 'euler', 'karras', 10, { endStep: 4 });
    expect(Array.from(cut)).toEqual(Array.from(full.slice(0, 5)));
    const forced = ksamplerSigmas(ms, 'euler', 'karras', 10, { endStep: 4, forceFullDenoise: true });
    expect(forced[4]).toBe(0);
    expect(Array.from(ksamplerSigmas(ms, 'euler', 'karras', 10, { startStep: 4 }))).toEqual(Array.from(full.slice(4)));
    expect(ksamplerSigmas(ms, 'euler', 'karras', 10, { startStep: 10 })).toHaveLength(0);
  });

  it('dpm_2 computes one more step and drops the penultimate sigma', () => {
    const s11 = calculateSigmas(ms, 'normal', 11);
    const s = ksamplerSigmas(ms, 'dpm_2', 'normal', 10);
    expect(s).toHaveLength(11);
    expect(Array.from(s)).toEqual([...Array.from(s11.slice(0, 10)), 0]);
  });
});

describe('kSample', () => {
  const base = {
    modelSampling: ms,
    cond: 0.2,
    uncond: 0.05,
    cfg: 4,
    shape,
    sampler: 'euler' as const,
    scheduler: 'normal' as const,
    steps: 6,
    seed: 1434,
  };

  it('starts text-to-image from noise·√(1+σ_max²) with the seeded torch noise', async () => {
    const calls: Call[] = [];
    const latent = new Float32Array(64);
    await kSample({ ...base, model: fakeModel(calls), latent });
    expect(calls).toHaveLength(6);
    const noise = new TorchGenerator(1434).randn(shape);
    // x_init = noise·√(1+σ_max²) and c_in = 1/√(1+σ_max²): the first model input is the noise itself.
    noise.forEach((n, i) => expect(calls[0].xIn[i]).toBeCloseTo(n, 5));
    expect(calls.map((c) => c.t)).toEqual([999, 799, 599, 400, 200, 0]);
  });

  it('img2img (denoise 0.5) starts from latent + noise·σ', async () => {
    const calls: Call[] = [];
    const latent = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
    await kSample({ ...base, model: fakeModel(calls), latent, denoise: 0.5 });
    const s0 = ksamplerSigmas(ms, 'euler', 'normal', 6, { denoise: 0.5 })[0];
    const noise = new TorchGenerator(1434).randn(shape);
    const cIn = 1 / Math.sqrt(1 + s0 * s0);
    noise.forEach((n, i) => expect(calls[0].xIn[i]).toBeCloseTo((latent[i] + n * s0) * cIn, 5));
  });

  it('two KSamplerAdvanced passes (leftover noise, then no noise) equal one full pass', async () => {
    const latent = new Float32Array(64);
    const full = await kSample({ ...base, steps: 10, model: fakeModel([]), latent });
    const first = await kSample({ ...base, steps: 10, model: fakeModel([]), latent, startStep: 0, endStep: 4, returnWithLeftoverNoise: true });
    const second = await kSample({ ...base, steps: 10, model: fakeModel([]), latent: first, addNoise: false, startStep: 4, endStep: 10000 });
    full.forEach((v, i) => expect(second[i]).toBeCloseTo(v, 5));
    const forced = await kSample({ ...base, steps: 10, model: fakeModel([]), latent, endStep: 4 });
    expect(Array.from(forced)).not.toEqual(Array.from(first));
  });

  it('ancestral samplers draw from a second generator seeded with seed + 1 (ComfyUI CPU)', async () => {
    const latent = new Float32Array(64);
    const a = await kSample({ ...base, sampler: 'euler_ancestral', model: fakeModel([]), latent });
    const b = await kSample({ ...base, sampler: 'euler_ancestral', model: fakeModel([]), latent });
    const c = await kSample({ ...base, sampler: 'euler_ancestral', model: fakeModel([]), latent, seed: 1435 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    // the same run by hand: start noise from seed, ancestral noise from seed + 1
    const sigmas = ksamplerSigmas(ms, 'euler_ancestral', 'normal', 6);
    const x0 = ms.noiseScaling(sigmas[0], new TorchGenerator(1434).randn(shape), latent, true);
    const d = cfgDenoiser({ modelSampling: ms, model: fakeModel([]), cond: base.cond, uncond: base.uncond, cfg: base.cfg, shape });
    const manual = await sample('euler_ancestral', d, x0, sigmas, { shape, noise: seededNoise(1435, shape) });
    expect(Array.from(a)).toEqual(Array.from(manual));
  });

  it('lms ends on the denoised estimate under KSampler (ComfyUI), not by integrating to 0', async () => {
    const latent = new Float32Array(64);
    const calls: Call[] = [];
    const out = await kSample({ ...base, sampler: 'lms', model: fakeModel(calls), latent });
    const sigmas = ksamplerSigmas(ms, 'lms', 'normal', 6);
    const d = cfgDenoiser({ modelSampling: ms, model: fakeModel([]), cond: base.cond, uncond: base.uncond, cfg: base.cfg, shape });
    const x0 = ms.noiseScaling(sigmas[0], new TorchGenerator(1434).randn(shape), latent, true);
    const kdiff = await sample('lms', d, x0, sigmas, { shape });
    const comfy = await sample('lms', d, x0, sigmas, { shape, finalDenoise: true });
    expect(Array.from(out)).toEqual(Array.from(comfy));
    expect(Array.from(kdiff)).not.toEqual(Array.from(comfy));
  });

  it('reports progress and cancels between steps', async () => {
    const steps: [number, number][] = [];
    const ctl = new AbortController();
    const run = kSample({
      ...base,
      model: fakeModel([]),
      latent: new Float32Array(64),
      signal: ctl.signal,
      callback: (step, total) => {
        steps.push([step, total]);
        if (step === 2) ctl.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(SamplingCancelled);
    expect(steps).toEqual([
      [1, 6],
      [2, 6],
    ]);
    const pre = new AbortController();
    pre.abort();
    await expect(kSample({ ...base, model: fakeModel([]), latent: new Float32Array(64), signal: pre.signal })).rejects.toBeInstanceOf(
      SamplingCancelled,
    );
  });

  it('returns the latent unchanged when start_step is past the schedule', async () => {
    const latent = Float32Array.from({ length: 64 }, (_, i) => i);
    const out = await kSample({ ...base, model: fakeModel([]), latent, startStep: 6 });
    expect(Array.from(out)).toEqual(Array.from(latent));
  });
});

describeGolden('kSample pieces vs tiny-sd1 pipe_q', () => {
  it('seed 1434 noise, sigmas and start latent match', async () => {
    const g = await readGoldenTensors(golden('tiny-sd1', 'golden.safetensors'));
    const noise = new TorchGenerator(1434).randn([1, 4, 8, 8]);
    expect(Array.from(noise)).toEqual(Array.from(g.get('pipe.noise')!.data));
    const sig = ksamplerSigmas(ms, 'euler', 'normal', 6);
    const ref = g.get('pipe_q.sigmas')!.data;
    sig.forEach((s, i) => expect(Math.abs(s - ref[i])).toBeLessThan(1e-5 * Math.max(1, ref[i])));
    const xInit = ms.noiseScaling(sig[0], noise, new Float32Array(256), true);
    const refX = g.get('pipe_q.x_init')!.data;
    xInit.forEach((v, i) => expect(Math.abs(v - refX[i])).toBeLessThan(1e-5 * 15));
  });
});

describe('latent helpers', () => {
  it('process_latent_in/out invert each other with the family scale', () => {
    const z = Float32Array.from([1, -2, 0.5]);
    expect(processLatentIn('sd1', z)[0]).toBeCloseTo(0.18215, 6);
    expect(Array.from(processLatentOut('sdxl', processLatentIn('sdxl', z))).map((v) => +v.toFixed(5))).toEqual([1, -2, 0.5]);
  });

  it('latentPreview maps channels to RGB with ComfyUI factors', () => {
    const lat = new Float32Array(2 * 4 * 2 * 3);
    lat[0] = 1; // batch 0, channel 0, pixel 0
    const p = latentPreview('sd1', lat, [2, 4, 2, 3]);
    expect([p.width, p.height, p.rgb.length]).toEqual([3, 2, 18]);
    expect(Array.from(p.rgb.subarray(0, 6))).toEqual([
      Math.trunc((1.3512 / 2) * 255),
      Math.trunc((1.2297 / 2) * 255),
      Math.trunc((1.3227 / 2) * 255),
      127,
      127,
      127,
    ]);
    const x = latentPreview('sdxl', new Float32Array(16), [1, 4, 2, 2]);
    expect(x.rgb[0]).toBe(Math.trunc((1.1084 / 2) * 255));
  });
});
