/** Shared sampler types. Tensors are flat Float32Arrays; `shape` says how they are laid out. */

/** D(x, σ): the denoised estimate of x at noise level σ (k-diffusion's `model(x, sigma)`). */
export type Denoiser = (x: Float32Array, sigma: number) => Promise<Float32Array>;

/** Gaussian noise for the step from `sigma` to `sigmaNext` (k-diffusion's `noise_sampler`). */
export type NoiseSource = (sigma: number, sigmaNext: number) => Float32Array;

/** What k-diffusion passes to its callback: `x` is the sample at the start of step `i`. */
export interface StepInfo {
  i: number;
  x: Float32Array;
  sigma: number;
  sigmaHat: number;
  denoised: Float32Array;
}

export interface SamplerOptions {
  /** Layout of x (e.g. [1,4,64,64]); noise sources draw tensors of this shape. */
  shape: readonly number[];
  /** Required by stochastic samplers (ancestral, SDE, ddpm, lcm, churn > 0). */
  noise?: NoiseSource;
  callback?: (info: StepInfo) => void;
  signal?: AbortSignal;
  eta?: number;
  sNoise?: number;
  sChurn?: number;
  sTmin?: number;
  sTmax?: number;
  /** lms / ipndm / deis order. */
  order?: number;
  /** dpmpp_2m_sde second-order correction. */
  solverType?: 'midpoint' | 'heun';
  /** dpmpp_sde intermediate point (log-sigma fraction). */
  r?: number;
  /** dpm_adaptive error control (k-diffusion defaults: 0.05, 0.0078, 0.05, PID 0/1/0, 0.81). */
  rtol?: number;
  atol?: number;
  hInit?: number;
  pcoeff?: number;
  icoeff?: number;
  dcoeff?: number;
  acceptSafety?: number;
  /**
   * lms: return the denoised estimate on a final step to σ = 0 (ComfyUI's sample_lms) instead of
   * integrating to 0 (crowsonkb k-diffusion, which the sampler goldens use). kSample sets it.
   */
  finalDenoise?: boolean;
  /** lcm re-noising; defaults to EPS `noise·σ + x`. */
  noiseScaling?: (sigma: number, noise: Float32Array, latent: Float32Array) => Float32Array;
}

export type Sampler = (model: Denoiser, x: Float32Array, sigmas: ArrayLike<number>, opts: SamplerOptions) => Promise<Float32Array>;

/** Thrown when the AbortSignal fires; raised between steps so no partial step is ever returned. */
export class SamplingCancelled extends Error {
  override readonly name = 'AbortError';
  constructor(message = 'sampling cancelled') {
    super(message);
  }
}

export function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SamplingCancelled();
}

export function requireNoise(opts: SamplerOptions, sampler: string): NoiseSource {
  if (!opts.noise) throw new Error(`${sampler} needs a noise source (opts.noise)`);
  return opts.noise;
}
