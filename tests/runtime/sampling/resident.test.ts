/**
 * Resident sampling's step graphs against the host samplers (themselves checked against ComfyUI / k-diffusion): the
 * same run through kSample's host loop and through sampleResident with the step graphs on CPU, on a made-up model
 * whose output depends on x, the timestep and each row's conditioning, so a wrong row order, c_in, timestep, CFG or
 * sampler coefficient shows. Plus when a run goes resident and when it stays on the host.
 */
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { UNetDeviceFeeds } from '../../../server/runtime/models';
import { kSample, ksamplerSigmas, type SamplerName } from '../../../server/runtime/sampling';
import type { SamplingCond } from '../../../server/runtime/sampling/conds';
import { ModelSamplingDiscrete, type SamplingType } from '../../../server/runtime/sampling/model-sampling';
import { residentPlan } from '../../../server/runtime/sampling/resident/plan';
import { sampleResident } from '../../../server/runtime/sampling/resident/sample';
import { RESIDENT_SAMPLERS } from '../../../server/runtime/sampling/resident/schedule';
import { TorchGenerator } from '../../../server/runtime/sampling/rng';
import { maxAbs, maxAbsDiff } from '../../helpers/compare';

const SHAPE = [2, 4, 6, 5];
const N = SHAPE.reduce((a, b) => a * b, 1);
const ROW = N / SHAPE[0];

/** out[r, i] = 0.4·x + 0.05·ctx_r·sin(i + t/97) + 0.02·x² (rows are independent, as in a UNet batch) */
function model(x: Float32Array, rows: number, t: number, ctx: (r: number) => number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const c = ctx(r);
    for (let i = 0; i < ROW; i++) {
      const v = x[r * ROW + i];
      out[r * ROW + i] = 0.4 * v + 0.05 * c * Math.sin(i + t / 97) + 0.02 * v * v;
    }
  }
  return out;
}

const fakeUnet = {
  provider: 'cpu' as const,
  async runOnDevice(f: UNetDeviceFeeds) {
    const x = f.x.data as Float32Array;
    const t = (f.timesteps.data as Float32Array)[0];
    const ctx = f.context.data as Float32Array;
    const per = ctx.length / f.context.dims[0];
    return new ort.Tensor(
      'float32',
      model(x, f.x.dims[0], t, (r) => ctx[r * per]),
      f.x.dims,
    );
  },
};

function latent(seed: number): Float32Array {
  return new TorchGenerator(seed).randn(SHAPE);
}

/** max |a − b| / max |b| */
const relErr = (a: Float32Array, b: Float32Array) => maxAbsDiff(a, b) / maxAbs(b);

async function both(sampler: SamplerName, prediction: SamplingType, denoise: number) {
  const ms = new ModelSamplingDiscrete(prediction);
  const start = denoise < 1 ? latent(7) : new Float32Array(N);
  const noise = latent(11);
  const cond = 1.3;
  const uncond = -0.6;
  const common = { modelSampling: ms, cfg: 6.5, latent: start, shape: SHAPE, seed: 42, sampler, scheduler: 'karras' as const, steps: 7, denoise };
  const host = await kSample({
    ...common,
    noise,
    model: async (xIn, shape, t, conds: readonly number[]) => model(xIn, shape[0], t, (r) => conds[r]),
    cond,
    uncond,
  });
  const sigmas = ksamplerSigmas(ms, sampler, 'karras', 7, { denoise, forceFullDenoise: true });
  const context = { data: Float32Array.from([uncond, uncond, cond, cond]), shape: [4, 1, 1] };
  const seen: number[] = [];
  const dev = await sampleResident({
    unet: fakeUnet,
    modelSampling: ms,
    sampler,
    sigmas,
    latent: start,
    noise,
    seed: 42,
    shape: SHAPE,
    context,
    cfg: 6.5,
    callback: (step, total) => seen.push(step / total),
  });
  return { host, dev: dev.samples, steps: seen.length };
}

describe('resident sampling step graphs', () => {
  for (const sampler of RESIDENT_SAMPLERS) {
    for (const prediction of ['eps', 'v_prediction'] as const) {
      it(`${sampler}, ${prediction}: the host loop's result`, async () => {
        const { host, dev, steps } = await both(sampler, prediction, 1);
        expect(steps).toBe(7);
        const err = relErr(dev, host);
        console.log(`[resident] ${sampler} ${prediction} rel err ${err.toExponential(2)}`);
        expect(err).toBeLessThan(1e-5);
        // not a trivial pass: the sampled latent is far from zero (the made-up model moves it)
        expect(maxAbs(host)).toBeGreaterThan(0.5);
      });
    }
  }

  it('img2img (denoise 0.6) with the lcm model sampling and an ancestral sampler', async () => {
    for (const [sampler, prediction] of [
      ['euler_ancestral', 'eps'],
      ['lcm', 'lcm'],
      ['dpmpp_2m', 'eps'],
    ] as const) {
      const { host, dev } = await both(sampler, prediction, 0.6);
      expect(relErr(dev, host), `${sampler}/${prediction}`).toBeLessThan(1e-5);
    }
  });

  it('draws ancestral noise on the sampler seed (another seed, another result)', async () => {
    const ms = new ModelSamplingDiscrete('eps');
    const sigmas = ksamplerSigmas(ms, 'euler_ancestral', 'normal', 4);
    const run = (seed: number) =>
      sampleResident({
        unet: fakeUnet,
        modelSampling: ms,
        sampler: 'euler_ancestral',
        sigmas,
        latent: new Float32Array(N),
        noise: latent(3),
        seed,
        shape: SHAPE,
        context: { data: Float32Array.from([0, 0, 1, 1]), shape: [4, 1, 1] },
        cfg: 4,
      });
    const a = await run(1);
    const b = await run(2);
    expect(relErr(a.samples, b.samples)).toBeGreaterThan(1e-3);
  });
});

describe('which runs go resident', () => {
  const modelConds = { cross: { data: new Float32Array(2 * 77 * 8), shape: [1, 77, 8] } };
  const entry = (label: string, extra: Partial<SamplingCond> = {}): SamplingCond => ({
    label,
    strength: 1,
    maskStrength: 1,
    model: modelConds,
    ...extra,
  });
  const base = {
    unet: { provider: 'webgpu' as const },
    lists: [[entry('positive')], [entry('negative')]],
    shape: [1, 4, 8, 8],
    sampler: 'euler' as SamplerName,
    cfg: 7,
    hasPostCfg: false,
    mode: 'auto' as const,
  };

  it('a plain pair on WebGPU: uncond rows first, tokens as calc_cond_batch', () => {
    const plan = residentPlan(base);
    if (typeof plan === 'string') throw new Error(plan);
    expect(plan.context.shape).toEqual([2, 77, 8]);
    expect(plan.y).toBeUndefined();
  });

  it('stays on the host for everything else, saying why', () => {
    expect(residentPlan({ ...base, unet: { provider: 'cpu' } })).toMatch(/runs on cpu/);
    expect(typeof residentPlan({ ...base, unet: { provider: 'cpu' }, mode: 'on' })).toBe('object');
    expect(residentPlan({ ...base, mode: 'off' })).toMatch(/off/);
    expect(residentPlan({ ...base, sampler: 'dpmpp_2m_sde' })).toMatch(/dpmpp_2m_sde runs on the host/);
    expect(residentPlan({ ...base, cfg: 1 })).toMatch(/cfg 1/);
    expect(residentPlan({ ...base, denoiseMask: new Float32Array(256) })).toMatch(/noise mask/);
    expect(residentPlan({ ...base, hasPostCfg: true })).toMatch(/RescaleCFG/);
    expect(residentPlan({ ...base, lists: [[entry('positive', { area: [4, 4, 0, 0] })], [entry('negative')]] })).toMatch(/area/);
    expect(residentPlan({ ...base, lists: [[entry('positive', { sigmaStart: 5 })], [entry('negative')]] })).toMatch(/timestep range/);
    expect(residentPlan({ ...base, lists: [[entry('positive'), entry('positive 2')], [entry('negative')]] })).toMatch(/more than one/);
    expect(residentPlan({ ...base, fits: () => false })).toMatch(/do not fit/);
  });
});
