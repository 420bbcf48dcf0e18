/** Shared sampler types. Tensors are flat Float32Arrays; `shape` says how they are laid out. */

/** The guided estimate and the unconditional one behind it (ComfyUI's post-CFG `denoised` / `uncond_denoised`). */
export interface GuidedPrediction {
  denoised: Float32Array;
  uncondDenoised: Float32Array;
}

/**
 * D(x, σ): the denoised estimate of x at noise level σ (k-diffusion's `model(x, sigma)`): what a GUIDER gives
 * a sampler. `withUncond` is the same evaluation that also returns the unconditional prediction, with
 * ComfyUI's cfg-1 shortcut off (`disable_cfg1_optimization`); CFG++ samplers need it, and a guider without a
 * negative answers zeros there, as ComfyUI's BasicGuider does. Make one with `guidedDenoiser`.
 */
export type Denoiser = ((x: Float32Array, sigma: number) => Promise<Float32Array>) & {
  readonly withUncond?: (x: Float32Array, sigma: number) => Promise<GuidedPrediction>;
};

/** A Denoiser that can also answer the unconditional prediction. */
export function guidedDenoiser(
  denoise: (x: Float32Array, sigma: number) => Promise<Float32Array>,
  withUncond: (x: Float32Array, sigma: number) => Promise<GuidedPrediction>,
): Denoiser {
  const d = (x: Float32Array, sigma: number): Promise<Float32Array> => denoise(x, sigma);
  return Object.assign(d, { withUncond });
}

/** The unconditional-aware evaluation a CFG++ sampler runs on, or a clear error naming the sampler. */
export function requireUncond(model: Denoiser, sampler: string): (x: Float32Array, sigma: number) => Promise<GuidedPrediction> {
  if (!model.withUncond) {
    throw new Error(
      `${sampler} is a CFG++ sampler: it needs the unconditional prediction, which this denoiser does not give (run it through a CFG guider)`,
    );
  }
  return model.withUncond;
}

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
  /** dpmpp_2m_sde second-order correction ('midpoint' | 'heun'); seeds_2 final stage ('phi_1' | 'phi_2'). */
  solverType?: 'midpoint' | 'heun' | 'phi_1' | 'phi_2';
  /** dpmpp_sde / seeds_2 intermediate point (fraction of the step in log σ). */
  r?: number;
  /** seeds_3 intermediate points (defaults 1/3, 2/3). */
  r1?: number;
  r2?: number;
  /** gradient_estimation γ (default 2). */
  geGamma?: number;
  /** er_sde: highest stage (1–3, default 3) and its noise scaler (default ER-SDE's x·(e^{x^0.3} + 10)). */
  maxStage?: number;
  noiseScaler?: (x: number) => number;
  /**
   * sa_solver: stochasticity τ(σ) of each step (ComfyUI's tau_func; `saSolverTau` builds its default) and
   * its predictor / corrector orders, PECE mode and the simple order-2 scheme.
   */
  tau?: (sigma: number) => number;
  predictorOrder?: number;
  correctorOrder?: number;
  usePece?: boolean;
  simpleOrder2?: boolean;
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
