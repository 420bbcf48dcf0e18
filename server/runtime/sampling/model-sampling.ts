/**
 * SD discrete-time noise schedule and parameterisations, after ComfyUI `comfy/model_sampling.py`
 * (ModelSamplingDiscrete + EPS / V_PREDICTION). Tables are built in float64 and stored in float32
 * as ComfyUI's buffers are; sigma(t) interpolates log-sigmas in float32 as torch does.
 */

const f = Math.fround;

export type Prediction = 'eps' | 'v_prediction';

export interface DiscreteScheduleOptions {
  linearStart?: number;
  linearEnd?: number;
  timesteps?: number;
}

/** torch.linspace in float64: the first half counts up from start, the second half down from end. */
export function linspace64(start: number, end: number, steps: number): Float64Array {
  const out = new Float64Array(steps);
  if (steps === 1) { out[0] = start; return out; }
  const step = (end - start) / (steps - 1);
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < half ? start + step * i : end - step * (steps - i - 1);
  return out;
}

/** torch.linspace in float32 (default dtype): same split, each value rounded to float32. */
export function linspace32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 1) { out[0] = start; return out; }
  const s0 = f(start);
  const e0 = f(end);
  const step = f((e0 - s0) / (steps - 1));
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < half ? f(s0 + f(step * i)) : f(e0 - f(step * (steps - i - 1)));
  return out;
}

export class ModelSamplingDiscrete {
  readonly prediction: Prediction;
  /** float64 cumulative product of (1 − β). */
  readonly alphasCumprod: Float64Array;
  /** float32 sigma table, ascending (index = timestep). */
  readonly sigmas: Float32Array;
  readonly logSigmas: Float32Array;

  constructor(prediction: Prediction = 'eps', opts: DiscreteScheduleOptions = {}) {
    this.prediction = prediction;
    const n = opts.timesteps ?? 1000;
    const betaRoots = linspace64(Math.sqrt(opts.linearStart ?? 0.00085), Math.sqrt(opts.linearEnd ?? 0.012), n);
    this.alphasCumprod = new Float64Array(n);
    this.sigmas = new Float32Array(n);
    this.logSigmas = new Float32Array(n);
    let acc = 1;
    for (let i = 0; i < n; i++) {
      acc *= 1 - betaRoots[i] * betaRoots[i];
      this.alphasCumprod[i] = acc;
      this.sigmas[i] = Math.sqrt((1 - acc) / acc);
      this.logSigmas[i] = Math.log(this.sigmas[i]);
    }
  }

  get sigmaMin(): number { return this.sigmas[0]; }
  get sigmaMax(): number { return this.sigmas[this.sigmas.length - 1]; }

  /** ComfyUI `timestep`: index of the nearest table entry in log-sigma (what the UNet is fed). */
  timestep(sigma: number): number {
    const ls = Math.log(sigma);
    let best = 0;
    let bestDist = Infinity;
    for (let i = 0; i < this.logSigmas.length; i++) {
      const d = Math.abs(f(ls - this.logSigmas[i]));
      if (d < bestDist) { bestDist = d; best = i; }
    }
    return best;
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
    const t = Math.min(Math.max(f(timestep), 0), this.logSigmas.length - 1);
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

  /** Model input scale c_in = 1/√(σ²+1) (EPS and V_PREDICTION). */
  cIn(sigma: number): number {
    return 1 / Math.sqrt(sigma * sigma + 1);
  }

  /** denoised from the raw model output (`calculate_denoised`). */
  calculateDenoised(sigma: number, modelOutput: Float32Array, modelInput: Float32Array): Float32Array {
    const out = new Float32Array(modelOutput.length);
    if (this.prediction === 'eps') {
      for (let i = 0; i < out.length; i++) out[i] = modelInput[i] - modelOutput[i] * sigma;
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

  /** `inverse_noise_scaling`: identity for EPS / V_PREDICTION. */
  inverseNoiseScaling(_sigma: number, latent: Float32Array): Float32Array {
    return latent;
  }
}
