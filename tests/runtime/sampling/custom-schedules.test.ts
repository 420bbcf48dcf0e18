/**
 * SIGMAS of ComfyUI's custom-sampling scheduler / sigma nodes and ModelSamplingDiscrete variants, against the
 * outputs ComfyUI's own node classes gave (fixtures/comfy-sampling-cases.safetensors; made by
 * make_schedule_workflow.py → golden-src/comfy_run.py → extract_fixture.py).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as C from '@/server/runtime/sampling/custom-schedules';
import { ModelSamplingDiscrete, type SamplingType } from '@/server/runtime/sampling/model-sampling';
import * as S from '@/server/runtime/sampling/schedules';
import { readGoldenTensors, type GoldenTensor } from '../../helpers/read-golden';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'comfy-sampling-cases.safetensors');

/** Largest relative difference; zeros must match exactly. */
function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, b[i] === 0 ? Math.abs(a[i]) * 1e9 : Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  return m;
}

const MODELS: Record<string, [SamplingType, boolean]> = { base: ['eps', false], lcm: ['lcm', false], vzsnr: ['v_prediction', true] };
const ms = new ModelSamplingDiscrete('eps');

describe('custom-sampling SIGMAS match ComfyUI node outputs', () => {
  let g: Map<string, GoldenTensor>;
  const ref = (k: string) => {
    const t = g.get(k);
    if (!t) throw new Error(`fixture has no ${k}`);
    return t.data;
  };
  beforeAll(async () => {
    g = await readGoldenTensors(FIXTURE);
  });

  it.each(Object.entries({ base: 7, lcm: 4, vzsnr: 10 }))('BasicScheduler, every scheduler, model sampling %s', (model, steps) => {
    const [type, zsnr] = MODELS[model];
    const m = new ModelSamplingDiscrete(type, { zsnr });
    for (const s of S.SCHEDULER_NAMES) {
      expect(maxRel(C.basicSchedulerSigmas(m, s, steps, 1), ref(`basic.${model}.${s}.${steps}.sigmas`)), `${model} ${s}`).toBeLessThan(1e-6);
    }
  });

  it('BasicScheduler with denoise < 1 takes the tail of a longer schedule; denoise 0 is empty', () => {
    for (const s of ['normal', 'karras', 'beta', 'simple'] as const) {
      expect(maxRel(C.basicSchedulerSigmas(ms, s, 6, 0.55), ref(`basic.base.${s}.6.d0.55.sigmas`)), s).toBeLessThan(1e-6);
    }
    expect(C.basicSchedulerSigmas(ms, 'normal', 5, 0)).toHaveLength(0);
    expect(ref('basic.base.normal.5.d0.sigmas')).toHaveLength(0);
  });

  it('Karras / Exponential / Polyexponential / Laplace / VP schedulers with their parameters', () => {
    expect(maxRel(S.karrasSigmas(9, 0.05, 12, 5), ref('karras.sigmas'))).toBeLessThan(2e-6);
    expect(maxRel(S.exponentialSigmas(9, 0.1, 10), ref('exponential.sigmas'))).toBeLessThan(2e-6);
    expect(maxRel(S.polyexponentialSigmas(9, 0.03, 14.6, 2.5), ref('polyexponential.sigmas'))).toBeLessThan(2e-6);
    expect(maxRel(C.laplaceSigmas(9, 0.03, 14.6, 0.2, 0.7), ref('laplace.sigmas'))).toBeLessThan(2e-6);
    expect(maxRel(C.laplaceSigmas(10, 0.0291675, 14.614642), ref('laplace.default.sigmas'))).toBeLessThan(2e-6);
    expect(maxRel(S.vpSigmas(9), ref('vp.sigmas'))).toBeLessThan(2e-6);
    expect(maxRel(S.vpSigmas(6, 10, 0.5, 0.01), ref('vp.b.sigmas'))).toBeLessThan(2e-6);
  });

  it('SDTurboScheduler and BetaSamplingScheduler', () => {
    for (const [steps, d] of [
      [1, '1.0'],
      [4, '1.0'],
      [2, '0.5'],
      [4, '0.3'],
      [3, '0.75'],
    ] as const) {
      expect(maxRel(C.sdTurboSigmas(ms, steps, Number(d)), ref(`turbo.${steps}.${d}.sigmas`)), `${steps} ${d}`).toBeLessThan(1e-6);
    }
    expect(maxRel(C.betaSamplingSigmas(ms, 9, 0.5, 0.7), ref('betasampling.sigmas'))).toBeLessThan(1e-6);
  });

  it('AlignYourStepsScheduler: tables, log-linear resampling, denoise rounding half to even', () => {
    for (const [mt, steps, d] of [
      ['SD1', 10, '1.0'],
      ['SD1', 25, '1.0'],
      ['SDXL', 7, '1.0'],
      ['SDXL', 10, '0.5'],
      ['SD1', 5, '0.5'],
      ['SVD', 12, '1.0'],
      ['SD1', 10, '0.25'],
    ] as const) {
      expect(maxRel(C.alignYourStepsSigmas(mt, steps, Number(d)), ref(`ays.${mt}.${steps}.${d}.sigmas`)), `${mt} ${steps} ${d}`).toBeLessThan(1e-6);
    }
    expect(C.alignYourStepsSigmas('SD1', 5, 0.5)).toHaveLength(3); // round(2.5) = 2 steps
  });

  it('SplitSigmas, SplitSigmasDenoise, FlipSigmas, SetFirstSigma, ExtendIntermediateSigmas', () => {
    const src = ref('basic.base.karras.7.sigmas');
    for (const step of [3, 9]) {
      const { high, low } = C.splitSigmas(src, step);
      expect(Array.from(high), `split ${step}`).toEqual(Array.from(ref(`split.${step}.high`)));
      expect(Array.from(low), `split ${step}`).toEqual(Array.from(ref(`split.${step}.low`)));
    }
    for (const d of ['0.45', '0.0', '1.0', '0.5']) {
      const { high, low } = C.splitSigmasDenoise(src, Number(d));
      expect(Array.from(high), `splitd ${d}`).toEqual(Array.from(ref(`splitd.${d}.high`)));
      expect(Array.from(low), `splitd ${d}`).toEqual(Array.from(ref(`splitd.${d}.low`)));
    }
    expect(C.splitSigmasDenoise(src, 0).high).toHaveLength(0); // ComfyUI's sigmas[:-0]
    expect(Array.from(C.flipSigmas(src))).toEqual(Array.from(ref('flip.sigmas')));
    expect(Array.from(C.setFirstSigma(src, 20.5))).toEqual(Array.from(ref('setfirst.sigmas')));
    for (const sp of ['linear', 'cosine', 'sine'] as const) {
      expect(maxRel(C.extendIntermediateSigmas(src, 3, -1, 1, sp), ref(`extend.${sp}.sigmas`)), sp).toBeLessThan(1e-6);
    }
  });
});

describe('model sampling variants', () => {
  it('LCM: 50-entry distilled table, timestep idx·20 + 19, sigma() the inverse', () => {
    const lcm = new ModelSamplingDiscrete('lcm');
    expect(lcm.sigmas).toHaveLength(50);
    expect(lcm.sigmaMax).toBe(ms.sigmas[999]);
    expect(lcm.sigmaMin).toBe(ms.sigmas[19]);
    expect(lcm.timestep(lcm.sigmaMax)).toBe(999);
    expect(lcm.timestep(ms.sigmas[519])).toBe(519);
    expect(lcm.timestep(ms.sigmas[525])).toBe(519); // nearest distilled entry
    for (const t of [19, 239, 999]) expect(Math.abs(lcm.sigma(t) / ms.sigmas[t] - 1)).toBeLessThan(2e-7); // exp(log σ) in float32
    expect(lcm.sigma(29)).toBeGreaterThan(ms.sigmas[19]);
    expect(lcm.sigma(29)).toBeLessThan(ms.sigmas[39]);
  });

  it('LCM denoised: c_skip·x + c_out·(x − σ·ε) with σ_data 0.5 and the timestep ×10', () => {
    const lcm = new ModelSamplingDiscrete('lcm');
    const sigma = ms.sigmas[259];
    const x = Float32Array.from([1, -2]);
    const eps = Float32Array.from([0.5, 0.25]);
    const st = 2590;
    const cSkip = 0.25 / (st * st + 0.25);
    const cOut = st / Math.sqrt(st * st + 0.25);
    const out = lcm.calculateDenoised(sigma, eps, x);
    x.forEach((v, i) => expect(out[i]).toBeCloseTo(cOut * (v - eps[i] * sigma) + cSkip * v, 6));
  });

  it('x0 and img_to_img take the output as the denoised latent; img_to_img feeds x unscaled', () => {
    const out = Float32Array.from([3, 4]);
    for (const t of ['x0', 'img_to_img'] as const)
      expect(Array.from(new ModelSamplingDiscrete(t).calculateDenoised(2, out, Float32Array.from([9, 9])))).toEqual([3, 4]);
    expect(new ModelSamplingDiscrete('img_to_img').cIn(2)).toBe(1);
    expect(new ModelSamplingDiscrete('x0').cIn(2)).toBeCloseTo(1 / Math.sqrt(5), 12);
  });

  it('zsnr: σ_max ≈ 4519 (ᾱ_T pinned), σ_min unchanged, the table stays increasing', () => {
    const z = new ModelSamplingDiscrete('v_prediction', { zsnr: true });
    expect(z.sigmaMax).toBeCloseTo(Math.sqrt((1 - 4.8973451890853435e-8) / 4.8973451890853435e-8), 0);
    expect(z.sigmaMin).toBeCloseTo(ms.sigmaMin, 6);
    for (let i = 1; i < z.sigmas.length; i++) expect(z.sigmas[i]).toBeGreaterThan(z.sigmas[i - 1]);
  });

  it('bad input is refused with the node and field named', () => {
    expect(() => new ModelSamplingDiscrete('flow' as SamplingType)).toThrow(/unknown model sampling "flow"/);
    expect(() => C.basicSchedulerSigmas(ms, 'normal', 0)).toThrow(/BasicScheduler: steps/);
    expect(() => C.sdTurboSigmas(ms, 11)).toThrow(/SDTurboScheduler: steps must be at most 10/);
    expect(() => C.alignYourStepsSigmas('SD3' as C.AysModelType, 10)).toThrow(/model_type/);
    expect(() => C.splitSigmas([1, 0], -1)).toThrow(/SplitSigmas: step/);
    expect(() => C.splitSigmasDenoise([1, 0], 1.5)).toThrow(/SplitSigmasDenoise: denoise/);
  });
});
