/**
 * SD discrete-time noise schedule and parameterisations, after ComfyUI `comfy/model_sampling.py`
 * (ModelSamplingDiscrete + EPS / V_PREDICTION / X0 / IMG_TO_IMG, zero-terminal-SNR rescaling) and
 * `comfy_extras/nodes_model_advanced.py` (LCM + ModelSamplingDiscreteDistilled). Tables are built in float64 and
 * stored in float32 as ComfyUI's buffers are; sigma(t) interpolates log-sigmas in float32 as torch does.
 */

const f = Math.fround;

/** What the network predicts, as checkpoints declare it. */
export type Prediction = 'eps' | 'v_prediction';

/**
 * ComfyUI ModelSamplingDiscrete's `sampling` choices (comfy_extras/nodes_model_advanced.py): eps and v_prediction;
 * `lcm` (LCM's consistency parameterisation on the 50-step distilled schedule, ModelSamplingDiscreteDistilled);
 * `x0` (the network predicts the clean latent); `img_to_img` (x0, fed the unscaled noisy latent).
 */
export type SamplingType = Prediction | 'lcm' | 'x0' | 'img_to_img';
export const SAMPLING_TYPES: readonly SamplingType[] = ['eps', 'v_prediction', 'lcm', 'x0', 'img_to_img'];

export interface DiscreteScheduleOptions {
  linearStart?: number;
  linearEnd?: number;
  timesteps?: number;
  /** Rescale the schedule to zero terminal SNR (Lin et al. 2023), as ComfyUI's `zsnr`. */
  zsnr?: boolean;
}

/** LCM's distilled schedule: 50 of the 1000 timesteps (ModelSamplingDiscreteDistilled.original_timesteps). */
const LCM_ORIGINAL_TIMESTEPS = 50;

/**
 * ComfyUI `rescale_zero_terminal_snr_sigmas` (float64): shift √ᾱ so the last step has zero SNR, scale so the first
 * keeps its value, then pin ᾱ_T to ComfyUI's 4.8973451890853435e-08 (σ_max ≈ 4519 instead of ∞).
 */
export function rescaleZeroTerminalSnr(sigmas: Float64Array): Float64Array {
  const sqrtAc = Float64Array.from(sigmas, (s) => Math.sqrt(1 / (s * s + 1)));
  const first = sqrtAc[0];
  const last = sqrtAc[sqrtAc.length - 1];
  const out = new Float64Array(sigmas.length);
  for (let i = 0; i < out.length; i++) {
    const a = ((sqrtAc[i] - last) * first) / (first - last);
    const ac = i === out.length - 1 ? 4.8973451890853435e-8 : a * a;
    out[i] = Math.sqrt((1 - ac) / ac);
  }
  return out;
}

/** torch.linspace in float64: the first half counts up from start, the second half down from end. */
export function linspace64(start: number, end: number, steps: number): Float64Array {
  const out = new Float64Array(steps);
  if (steps === 1) {
    out[0] = start;
    return out;
  }
  const step = (end - start) / (steps - 1);
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < half ? start + step * i : end - step * (steps - i - 1);
  return out;
}

/** torch.linspace in float32 (default dtype): same split, each value rounded to float32. */
export function linspace32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 1) {
    out[0] = start;
    return out;
  }
  const s0 = f(start);
  const e0 = f(end);
  const step = f((e0 - s0) / (steps - 1));
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < half ? f(s0 + f(step * i)) : f(e0 - f(step * (steps - i - 1)));
  return out;
}

export class ModelSamplingDiscrete {
  /** How the network output becomes the denoised estimate (named `prediction` since the eps/v days). */
  readonly prediction: SamplingType;
  readonly zsnr: boolean;
  /** float64 cumulative product of (1 − β) (not rescaled by zsnr, as ComfyUI keeps it). */
  readonly alphasCumprod: Float64Array;
  /** float32 sigma table, ascending (index = timestep; LCM: index = distilled step). */
  readonly sigmas: Float32Array;
  readonly logSigmas: Float32Array;
  /** Timesteps per table entry: 1, or 20 for LCM's distilled 50-entry table. */
  readonly skipSteps: number;

  constructor(prediction: SamplingType = 'eps', opts: DiscreteScheduleOptions = {}) {
    if (!SAMPLING_TYPES.includes(prediction))
      throw new Error(`unknown model sampling "${String(prediction)}" (expected one of ${SAMPLING_TYPES.join(', ')})`);
    this.prediction = prediction;
    this.zsnr = opts.zsnr ?? false;
    const n = opts.timesteps ?? 1000;
    const betaRoots = linspace64(Math.sqrt(opts.linearStart ?? 0.00085), Math.sqrt(opts.linearEnd ?? 0.012), n);
    this.alphasCumprod = new Float64Array(n);
    const raw = new Float64Array(n);
    let acc = 1;
    for (let i = 0; i < n; i++) {
      acc *= 1 - betaRoots[i] * betaRoots[i];
      this.alphasCumprod[i] = acc;
      raw[i] = Math.sqrt((1 - acc) / acc);
    }
    let table = Float32Array.from(this.zsnr ? rescaleZeroTerminalSnr(raw) : raw);
    this.skipSteps = 1;
    if (prediction === 'lcm') {
      // ModelSamplingDiscreteDistilled: entry 49 − x = sigmas[n − 1 − 20x]
      this.skipSteps = Math.trunc(n / LCM_ORIGINAL_TIMESTEPS);
      const valid = new Float32Array(LCM_ORIGINAL_TIMESTEPS);
      for (let x = 0; x < LCM_ORIGINAL_TIMESTEPS; x++) valid[LCM_ORIGINAL_TIMESTEPS - 1 - x] = table[n - 1 - x * this.skipSteps];
      table = valid;
    }
    this.sigmas = table;
    this.logSigmas = Float32Array.from(table, (v) => Math.log(v));
  }

  get sigmaMin(): number {
    return this.sigmas[0];
  }
  get sigmaMax(): number {
    return this.sigmas[this.sigmas.length - 1];
  }

  /** ComfyUI `timestep`: index of the nearest table entry in log-sigma (what the UNet is fed; LCM: idx·20 + 19). */
  timestep(sigma: number): number {
    const ls = Math.log(sigma);
    let best = 0;
    let bestDist = Infinity;
    for (let i = 0; i < this.logSigmas.length; i++) {
      const d = Math.abs(f(ls - this.logSigmas[i]));
      if (d < bestDist) {
        bestDist = d;
        best = i;
      }
    }
    return best * this.skipSteps + (this.skipSteps - 1);
  }

  /** k-diffusion `sigma_to_t` (quantize=False): fractional timestep by log-sigma interpolation. */
  timestepContinuous(sigma: number): number {
    const ls = Math.log(sigma);
    const table = this.logSigmas;
    let low = 0;
    for (let i = 0; i < table.length; i++) if (ls - table[i] >= 0) low = i;
    low = Math.min(low, table.length - 2);
    const w = Math.min(1, Math.max(0, (table[low] - ls) / (table[low] - table[low + 1])));
    return (1 - w) * low + w * (low + 1);
  }

  /** ComfyUI `sigma(timestep)`: float32 interpolation of the log-sigma table. */
  sigma(timestep: number): number {
    const k = this.skipSteps;
    const idx = k === 1 ? f(timestep) : f(f(f(timestep) - (k - 1)) / k);
    const t = Math.min(Math.max(idx, 0), this.logSigmas.length - 1);
    const lo = Math.floor(t);
    const hi = Math.ceil(t);
    const w = f(t - lo);
    const ls = f(f(f(1 - w) * this.logSigmas[lo]) + f(w * this.logSigmas[hi]));
    return f(Math.exp(ls));
  }

  /** ComfyUI `percent_to_sigma`: 0 → sigma_max-ish (∞ clamp aside), 1 → 0. */
  percentToSigma(percent: number): number {
    if (percent <= 0) return 999999999.9;
    if (percent >= 1) return 0;
    return this.sigma((1 - percent) * 999);
  }

  /** Model input scale c_in = 1/√(σ²+1); img_to_img feeds the latent unscaled. */
  cIn(sigma: number): number {
    return this.prediction === 'img_to_img' ? 1 : 1 / Math.sqrt(sigma * sigma + 1);
  }

  /** denoised from the raw model output (`calculate_denoised`). */
  calculateDenoised(sigma: number, modelOutput: Float32Array, modelInput: Float32Array): Float32Array {
    const out = new Float32Array(modelOutput.length);
    if (this.prediction === 'eps') {
      for (let i = 0; i < out.length; i++) out[i] = modelInput[i] - modelOutput[i] * sigma;
    } else if (this.prediction === 'x0' || this.prediction === 'img_to_img') {
      out.set(modelOutput);
    } else if (this.prediction === 'lcm') {
      // LCM's boundary condition: c_skip·x + c_out·x0(ε) with σ_data 0.5 and the timestep scaled by 10.
      const st = this.timestep(sigma) * 10;
      const cSkip = 0.25 / (st * st + 0.25);
      const cOut = st / Math.sqrt(st * st + 0.25);
      for (let i = 0; i < out.length; i++) out[i] = cOut * (modelInput[i] - modelOutput[i] * sigma) + cSkip * modelInput[i];
    } else {
      const s2 = sigma * sigma;
      const cSkip = 1 / (s2 + 1);
      const cOut = -sigma / Math.sqrt(s2 + 1);
      for (let i = 0; i < out.length; i++) out[i] = modelInput[i] * cSkip + modelOutput[i] * cOut;
    }
    return out;
  }

  /** `noise_scaling`: start latent; full denoise scales noise by √(1+σ²) instead of σ. */
  noiseScaling(sigma: number, noise: Float32Array, latent: Float32Array, maxDenoise = false): Float32Array {
    const scale = maxDenoise ? Math.sqrt(1 + sigma * sigma) : sigma;
    const out = new Float32Array(noise.length);
    for (let i = 0; i < out.length; i++) out[i] = noise[i] * scale + latent[i];
    return out;
  }

  /** `inverse_noise_scaling`: identity for every discrete type. */
  inverseNoiseScaling(_sigma: number, latent: Float32Array): Float32Array {
    return latent;
  }
}
