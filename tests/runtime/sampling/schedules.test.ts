import { beforeAll, expect, it } from 'vitest';
import { ModelSamplingDiscrete } from '@/server/runtime/sampling/model-sampling';
import * as S from '@/server/runtime/sampling/schedules';
import { betaCdf, betaPpf } from '@/server/runtime/sampling/beta-dist';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../../helpers/read-golden';

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    m = Math.max(m, b[i] === 0 ? d : d / Math.abs(b[i]));
  }
  return m;
}

const ms = new ModelSamplingDiscrete('eps');
// The goldens' k-diffusion schedules were called with these rounded SD1 limits; torch's float32
// pow/exp there leave ~1.3e-6 relative, so those three get 2e-6 (ComfyUI's own are held to 1e-6).
const K_MIN = 0.0291675;
const K_MAX = 14.614643;

describeGolden('schedules vs ComfyUI / k-diffusion goldens', () => {
  let g: Map<string, GoldenTensor>;
  let sd1: Map<string, GoldenTensor>;
  beforeAll(async () => {
    g = await readGoldenTensors(golden('samplers', 'sampler_cases.safetensors'));
    sd1 = await readGoldenTensors(golden('tiny-sd1', 'golden.safetensors'));
  });

  it('sigma tables', () => {
    expect(maxRel(ms.sigmas, g.get('comfy.model_sampling.sigmas')!.data)).toBeLessThan(1e-7);
    // ldm's fp32 table divides in float32: ≤1.3e-5 from the float64 one (README).
    expect(maxRel(ms.sigmas, sd1.get('schedule.sigmas')!.data)).toBeLessThan(2e-5);
    expect(maxRel(Float32Array.from(ms.alphasCumprod), sd1.get('schedule.alphas_cumprod')!.data)).toBeLessThan(1e-7);
  });

  it('quantized and continuous timesteps of the pipeline sigmas', () => {
    const sig = Array.from(sd1.get('pipe_q.sigmas')!.data).slice(0, 6);
    expect(sig.map((s) => ms.timestep(s))).toEqual([999, 799, 599, 400, 200, 0]);
    const cont = sd1.get('pipe.timesteps')!.data;
    sig.forEach((s, i) => expect(ms.timestepContinuous(s)).toBeCloseTo(cont[i], 3));
  });

  it('ComfyUI calculate_sigmas, 20 steps, every scheduler', () => {
    for (const name of S.SCHEDULER_NAMES) {
      expect(maxRel(S.calculateSigmas(ms, name, 20), g.get(`sched20.comfy_${name}`)!.data), name).toBeLessThan(1e-6);
    }
  });

  it('k-diffusion schedules, 20 steps', () => {
    expect(maxRel(S.kdiffusionDiscreteSigmas(ms, 20), g.get('sched20.kdiff_discrete')!.data)).toBeLessThan(1e-6);
    expect(maxRel(S.karrasSigmas(20, K_MIN, K_MAX), g.get('sched20.karras')!.data)).toBeLessThan(2e-6);
    expect(maxRel(S.exponentialSigmas(20, K_MIN, K_MAX), g.get('sched20.exponential')!.data)).toBeLessThan(2e-6);
    expect(maxRel(S.polyexponentialSigmas(20, K_MIN, K_MAX), g.get('sched20.polyexponential')!.data)).toBeLessThan(2e-6);
    // crowsonkb's get_sigmas_vp computes exp(x) − 1 (ComfyUI's copy, our default, expm1: custom-schedules.test.ts).
    expect(maxRel(S.vpSigmas(20, 19.9, 0.1, 1e-3, { expm1: false }), g.get('sched20.vp')!.data)).toBeLessThan(1e-6);
    expect(maxRel(S.vpSigmas(20), g.get('sched20.vp')!.data)).toBeGreaterThan(1e-5);
  });

  it('10- and 6-step schedules', () => {
    expect(maxRel(S.kdiffusionDiscreteSigmas(ms, 10), g.get('sigmas10.normal')!.data)).toBeLessThan(1e-6);
    expect(maxRel(S.karrasSigmas(10, K_MIN, K_MAX), g.get('sigmas10.karras')!.data)).toBeLessThan(2e-6);
    expect(maxRel(S.calculateSigmas(ms, 'ddim_uniform', 10), g.get('sigmas10.ddim_uniform')!.data)).toBeLessThan(1e-6);
    expect(maxRel(S.calculateSigmas(ms, 'normal', 6), g.get('compare.comfy_normal6')!.data)).toBeLessThan(1e-6);
    expect(maxRel(S.kdiffusionDiscreteSigmas(ms, 6), g.get('compare.kdiff_get_sigmas6')!.data)).toBeLessThan(1e-6);
  });
});

it('Beta inverse CDF inverts the CDF and matches closed forms', () => {
  // Beta(1,1) is uniform; Beta(2,1) has CDF x², Beta(0.5,0.5) is the arcsine law.
  for (const p of [0.01, 0.3, 0.5, 0.77, 0.999]) {
    expect(Math.abs(betaPpf(p, 1, 1) - p)).toBeLessThan(1e-12);
    expect(Math.abs(betaPpf(p, 2, 1) - Math.sqrt(p))).toBeLessThan(1e-12);
    expect(Math.abs(betaPpf(p, 0.5, 0.5) - Math.sin((Math.PI * p) / 2) ** 2)).toBeLessThan(1e-10);
    expect(Math.abs(betaCdf(betaPpf(p, 0.6, 0.6), 0.6, 0.6) - p)).toBeLessThan(1e-12);
  }
});

it('sigma(timestep(σ)) round-trips on the table and schedules are descending', () => {
  for (const t of [0, 17, 500, 999]) expect(ms.timestep(ms.sigma(t))).toBe(t);
  for (const name of S.SCHEDULER_NAMES) {
    const s = S.calculateSigmas(ms, name, 13);
    for (let i = 1; i < s.length; i++) expect(s[i], name).toBeLessThan(s[i - 1]);
    expect(s[s.length - 1]).toBe(0);
  }
});
