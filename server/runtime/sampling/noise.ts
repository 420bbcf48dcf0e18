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
