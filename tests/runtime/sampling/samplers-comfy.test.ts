/**
 * Every KSampler sampler against ComfyUI's own k_diffusion code (3cd7b32f) on an analytic guided denoiser.
 * Vectors: fixtures/comfy-sampler-vectors.safetensors, made by fixtures/build_sampler_vectors.py (see its
 * docstring); ancestral-type noise is regenerated bit-exactly from the seed, Brownian-tree draws are replayed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { linspace32, ModelSamplingDiscrete } from '@/server/runtime/sampling/model-sampling';
import { comfyAncestralNoise, recordedNoise } from '@/server/runtime/sampling/noise';
import {
  CFG_PP_SAMPLERS,
  guidedDenoiser,
  sample,
  SAMPLER_NAMES,
  samplerImplementation,
  saSolverTau,
  SDE_SAMPLERS,
  STOCHASTIC_SAMPLERS,
  type Denoiser,
} from '@/server/runtime/sampling/samplers';
import type { SamplerName } from '@/server/runtime/sampling/names';
import { maxAbs, maxAbsDiff } from '../../helpers/compare';
import { readGoldenMetadata, readGoldenTensors, type GoldenTensor } from '../../helpers/read-golden';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'comfy-sampler-vectors.safetensors');
const SHAPE = [1, 2, 4, 4];
const N = 32;
const SEED = 42;
const CFG = 2.5;
const f = Math.fround;
const MU_C = linspace32(-1, 1, N);
const MU_U = Float32Array.from({ length: N }, (_, i) => f(0.3 * f(Math.cos(i))));

/** D_c, D_u: exact posterior means for N(μ, I) data; guided as ComfyUI's cfg_function: u + (c − u)·cfg. */
function analytic(): { model: Denoiser; calls: () => number } {
  let calls = 0;
  const both = async (x: Float32Array, s: number) => {
    calls++;
    const k = 1 / (1 + s * s);
    const c = Float32Array.from(x, (v, i) => (v + s * s * MU_C[i]) * k);
    const u = Float32Array.from(x, (v, i) => (v + s * s * MU_U[i]) * k);
    return { denoised: Float32Array.from(c, (cv, i) => u[i] + (cv - u[i]) * CFG), uncondDenoised: u };
  };
  return { model: guidedDenoiser(async (x, s) => (await both(x, s)).denoised, both), calls: () => calls };
}

/** ComfyUI's ipndm / ipndm_v / deis report the *initial* x to the callback at every step (they never reassign it). */
const CALLBACK_REPORTS_INITIAL_X = new Set(['ipndm', 'ipndm_v', 'deis']);
/**
 * Trajectories not compared step by step: ComfyUI's UniPC reports x after the step in its VP-scaled frame (ours
 * report x at the step's start, like every other sampler); dpm_adaptive's attempts land at float32-noisy times
 * (see TOL), so only its result and evaluation count are held to the reference.
 */
const TRAJ_NOT_COMPARED = new Set(['uni_pc', 'uni_pc_bh2', 'dpm_adaptive']);
/**
 * Relative tolerances against a float32 reference. Two reference runs are float32-limited (measured against the
 * same ComfyUI code run in float64): uni_pc's last step to σ = 0.001 (ComfyUI f32 vs f64: 3.9e-4, ours vs f64:
 * 5e-6) and dpm_adaptive, whose error estimate subtracts two nearly equal float32 solutions and steers the step
 * size with it (ComfyUI f32 vs f64: 1.1e-3, ours vs either ≤ 1.4e-3).
 */
const TOL: Partial<Record<string, number>> = { uni_pc: 1.5e-4, uni_pc_bh2: 1.5e-4, dpm_adaptive: 5e-4 };

const names = SAMPLER_NAMES.filter((n) => !n.endsWith('_gpu'));
/** ComfyUI's "ddim" is ksampler("euler") (its random inpaint noise only matters with a mask): it is checked on euler's vectors. */
const vectorsOf = (n: SamplerName): string => (n === 'ddim' ? 'euler' : n);

describe('every sampler reproduces ComfyUI on the analytic guided denoiser', () => {
  let g: Map<string, GoldenTensor>;
  let meta: Record<string, { nfe: number; draws: number; steps: number }>;
  const ms = new ModelSamplingDiscrete('eps');
  beforeAll(async () => {
    g = await readGoldenTensors(FIXTURE);
    meta = JSON.parse((await readGoldenMetadata(FIXTURE)).cases) as typeof meta;
  });

  it('covers every ComfyUI sampler name but the CUDA-tree aliases', () => {
    for (const n of names) expect(meta[`${vectorsOf(n)}.karras`], n).toBeDefined();
    expect(Object.keys(meta)).toHaveLength((names.length - 1) * 2);
  });

  const cases = names.flatMap((n) => (['karras', 'normal'] as const).map((s): [SamplerName, string] => [n, s]));
  it.each(cases)('%s on %s', async (name, schedule) => {
    const key = `${vectorsOf(name)}.${schedule}`;
    const sigmas = g.get(`sigmas.${schedule}`)!.data;
    const xInit = g.get(`x_init.${schedule}`)!.data as Float32Array;
    const impl = samplerImplementation(name);
    const noises = g.get(`${key}.noises`);
    let noise: ReturnType<typeof recordedNoise> | undefined;
    let draws = 0;
    if (SDE_SAMPLERS.has(impl)) {
      const list = Array.from({ length: noises!.shape[0] }, (_, k) => noises!.data.slice(k * N, (k + 1) * N) as Float32Array);
      noise = recordedNoise(list);
    } else {
      const inner = comfyAncestralNoise(SEED, SHAPE);
      noise = (a: number, b: number) => {
        draws++;
        return inner(a, b);
      };
    }
    const { model, calls } = analytic();
    const traj: Float32Array[] = [];
    const out = await sample(name, model, xInit, sigmas, {
      shape: SHAPE,
      noise,
      finalDenoise: true,
      tau: saSolverTau((p) => ms.percentToSigma(p)),
      callback: ({ x }) => traj.push(x),
    });
    const m = meta[key];
    expect(calls()).toBe(m.nfe);
    // Draws whose every use ComfyUI scales by 0 (res_multistep, dpm_fast, eta 0) are skipped here; the rest match one for one.
    if (!SDE_SAMPLERS.has(impl) && STOCHASTIC_SAMPLERS.has(impl)) expect(draws).toBe(m.draws);
    const tol = (TOL[name] ?? 2e-5) * Math.max(1, maxAbs(g.get(`${key}.out`)!.data));
    expect(maxAbsDiff(out, g.get(`${key}.out`)!.data)).toBeLessThan(tol);
    const ref = g.get(`${key}.traj`)!;
    expect(traj.length).toBe(ref.shape[0]);
    if (CALLBACK_REPORTS_INITIAL_X.has(name)) {
      for (let i = 0; i < ref.shape[0]; i++) expect(maxAbsDiff(ref.data.subarray(i * N, (i + 1) * N), xInit)).toBe(0);
    } else if (!TRAJ_NOT_COMPARED.has(name)) {
      traj.forEach((x, i) => {
        const row = ref.data.subarray(i * N, (i + 1) * N);
        expect(maxAbsDiff(x, row), `traj[${i}]`).toBeLessThan((TOL[name] ?? 2e-5) * Math.max(1, maxAbs(row)));
      });
    }
  });

  it('the tolerance discriminates: a neighbouring sampler or another seed is far outside it', async () => {
    const sigmas = g.get('sigmas.karras')!.data;
    const xInit = g.get('x_init.karras')!.data as Float32Array;
    const run = (name: SamplerName, seed: number) =>
      sample(name, analytic().model, xInit, sigmas, { shape: SHAPE, noise: comfyAncestralNoise(seed, SHAPE), finalDenoise: true });
    const ref = g.get('res_multistep.karras.out')!.data;
    expect(maxAbsDiff(await run('dpmpp_2m', SEED), ref)).toBeGreaterThan(1e-3);
    const anc = g.get('seeds_2.karras.out')!.data;
    expect(maxAbsDiff(await run('seeds_2', SEED + 1), anc)).toBeGreaterThan(1e-2);
  });

  it('CFG++ samplers refuse a denoiser without the unconditional prediction', async () => {
    const plain: Denoiser = async (x) => x;
    for (const name of CFG_PP_SAMPLERS) {
      await expect(
        sample(name as SamplerName, plain, new Float32Array(N), [1, 0.5, 0], { shape: SHAPE, noise: comfyAncestralNoise(1, SHAPE) }),
        name,
      ).rejects.toThrow(/unconditional prediction/);
    }
  });
});
