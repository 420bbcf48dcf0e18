/**
 * Noise sources for stochastic samplers.
 *
 * ComfyUI (CPU): the initial noise is `torch.randn(shape, generator=manual_seed(seed))`, and
 * ComfyUI's `default_noise_sampler(x, seed)` builds a *second* generator, seeded with seed + 1 when
 * x is on the CPU (so ancestral draws do not repeat the initial noise). `comfyAncestralNoise`
 * reproduces that. ComfyUI on a GPU seeds a CUDA generator with the seed itself; CUDA's Philox
 * stream is not reproduced here.
 *
 * SDE samplers (dpmpp_sde, dpmpp_2m_sde, dpmpp_3m_sde) use a Brownian tree in k-diffusion
 * (torchsde `BrownianTree`); its internal random splitting is not reproduced. `brownianNoise`
 * is our equivalent: a Brownian motion W over σ sampled lazily by Brownian bridges from one
 * TorchGenerator, returning (W(σ_next) − W(σ))/√|σ_next − σ| — exactly N(0, I) per call and
 * correctly correlated across overlapping intervals, deterministic for a seed and query order.
 */
import { TorchGenerator } from './rng';
import type { NoiseSource } from './samplers/types';

/** A fresh TorchGenerator seeded with `seed`, one `randn(shape)` per call. */
export function seededNoise(seed: bigint | number, shape: readonly number[]): NoiseSource {
  const gen = new TorchGenerator(seed);
  return () => gen.randn(shape);
}

/** ComfyUI's `default_noise_sampler(x, seed)` for a CPU tensor: the generator is seeded with seed + 1. */
export function comfyAncestralNoise(seed: bigint | number, shape: readonly number[]): NoiseSource {
  return seededNoise(BigInt.asUintN(64, BigInt(seed) + 1n), shape);
}

/** Replays recorded tensors in call order (tests, or reproducing an external run). */
export function recordedNoise(draws: readonly Float32Array[]): NoiseSource {
  let k = 0;
  return () => {
    if (k >= draws.length) throw new Error(`recorded noise exhausted after ${draws.length} draws`);
    return draws[k++];
  };
}

/** Lazily sampled Brownian motion over σ ∈ [σ_min, σ_max] (see module comment). */
export function brownianNoise(seed: bigint | number, shape: readonly number[], sigmaMin: number, sigmaMax: number): NoiseSource {
  const gen = new TorchGenerator(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const times: number[] = [sigmaMin, sigmaMax];
  const values: Float32Array[] = [new Float32Array(size), gen.randn(shape)];
  const scale0 = Math.sqrt(sigmaMax - sigmaMin);
  for (let i = 0; i < size; i++) values[1][i] *= scale0;

  const at = (t: number): Float32Array => {
    const tc = Math.min(Math.max(t, sigmaMin), sigmaMax);
    const hi = times.findIndex((x) => x >= tc);
    if (times[hi] === tc) return values[hi];
    const lo = hi - 1;
    const [t0, t1] = [times[lo], times[hi]];
    const [w0, w1] = [values[lo], values[hi]];
    const z = gen.randn(shape);
    const frac = (tc - t0) / (t1 - t0);
    const std = Math.sqrt(((tc - t0) * (t1 - tc)) / (t1 - t0));
    const w = new Float32Array(size);
    for (let i = 0; i < size; i++) w[i] = w0[i] + frac * (w1[i] - w0[i]) + std * z[i];
    times.splice(hi, 0, tc);
    values.splice(hi, 0, w);
    return w;
  };

  return (sigma, sigmaNext) => {
    const a = at(sigma);
    const b = at(sigmaNext);
    const dt = Math.sqrt(Math.abs(Math.min(Math.max(sigmaNext, sigmaMin), sigmaMax) - Math.min(Math.max(sigma, sigmaMin), sigmaMax)));
    const out = new Float32Array(size);
    if (dt === 0) return out;
    const sign = sigmaNext < sigma ? -1 : 1;
    for (let i = 0; i < size; i++) out[i] = (sign * (b[i] - a[i])) / dt;
    return out;
  };
}

/**
 * ComfyUI `prepare_noise(latent, seed, batch_index)`: one torch.randn of the whole shape, or with batch indices
 * one [1, …] draw per index 0 … max(index) (unused ones discarded), each row taking its index's draw.
 */
export function prepareNoise(seed: bigint | number, shape: readonly number[], batchIndex?: readonly number[]): Float32Array {
  const gen = new TorchGenerator(seed);
  if (!batchIndex) return gen.randn(shape);
  if (batchIndex.length !== shape[0]) throw new Error(`batch_index has ${batchIndex.length} entries for a batch of ${shape[0]}`);
  if (batchIndex.some((i) => !Number.isInteger(i) || i < 0)) throw new Error(`batch_index must hold integers ≥ 0, got [${batchIndex.join(', ')}]`);
  const rowShape = [1, ...shape.slice(1)];
  const per = rowShape.reduce((a, b) => a * b, 1);
  const wanted = new Set(batchIndex);
  const draws = new Map<number, Float32Array>();
  for (let i = 0; i <= Math.max(...batchIndex); i++) {
    const d = gen.randn(rowShape);
    if (wanted.has(i)) draws.set(i, d);
  }
  const out = new Float32Array(per * shape[0]);
  batchIndex.forEach((idx, row) => out.set(draws.get(idx)!, row * per));
  return out;
}

/** The NOISE socket's runtime value: ComfyUI's RandomNoise(seed) / DisableNoise (whose seed is 0). */
export type NoiseSpec = { readonly kind: 'random'; readonly seed: bigint | number } | { readonly kind: 'disabled' };

/** The seed a NOISE hands the sampler (`noise.seed`): DisableNoise's is 0, as in ComfyUI. */
export function noiseSeed(spec: NoiseSpec): bigint | number {
  return spec.kind === 'random' ? spec.seed : 0;
}

/** `noise.generate_noise(latent)`: seeded noise, or zeros for DisableNoise. */
export function generateNoise(spec: NoiseSpec, shape: readonly number[], batchIndex?: readonly number[]): Float32Array {
  if (spec.kind === 'disabled') return new Float32Array(shape.reduce((a, b) => a * b, 1));
  return prepareNoise(spec.seed, shape, batchIndex);
}

/**
 * The noise a sampler draws after the start latent, as ComfyUI seeds it from the sampling seed: a Brownian tree
 * over [smallest positive σ, largest σ] for the SDE samplers (`sde` true), else the seed + 1 generator.
 */
export function samplerNoise(sde: boolean, seed: bigint | number, shape: readonly number[], sigmas: ArrayLike<number>): NoiseSource {
  if (!sde) return comfyAncestralNoise(seed, shape);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < sigmas.length; i++) {
    if (sigmas[i] > 0) lo = Math.min(lo, sigmas[i]);
    hi = Math.max(hi, sigmas[i]);
  }
  return brownianNoise(seed, shape, lo, hi);
}
