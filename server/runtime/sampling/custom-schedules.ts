/**
 * The SIGMAS producers of ComfyUI's custom-sampling nodes (comfy_extras/nodes_custom_sampler.py,
 * nodes_align_your_steps.py) as pure functions. Each returns a new float32 array, descending, ending in 0 unless
 * stated; an empty array means "nothing to sample" (ComfyUI's `FloatTensor([])`).
 */
import { betaSigmas, calculateSigmas, type SchedulerName } from './schedules';
import { linspace32, type ModelSamplingDiscrete } from './model-sampling';

const f = Math.fround;

/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function checkSteps(node: string, steps: number, min = 1): void {
  if (!Number.isInteger(steps) || steps < min) throw new Error(`${node}: steps must be an integer ≥ ${min}, got ${steps}`);
}

function checkDenoise(node: string, denoise: number): void {
  if (!(denoise >= 0 && denoise <= 1)) throw new Error(`${node}: denoise must be between 0 and 1, got ${denoise}`);
}

/** BasicScheduler: `steps` of a schedule computed for steps/denoise (int) steps, taking the low-noise tail. */
export function basicSchedulerSigmas(ms: ModelSamplingDiscrete, scheduler: SchedulerName, steps: number, denoise = 1): Float32Array {
  checkSteps('BasicScheduler', steps);
  checkDenoise('BasicScheduler', denoise);
  let total = steps;
  if (denoise < 1) {
    if (denoise <= 0) return new Float32Array(0);
    total = Math.trunc(steps / denoise);
  }
  return calculateSigmas(ms, scheduler, total).slice(-(steps + 1));
}

/** SDTurboScheduler: timesteps 999, 899, … 99 from 10 − int(10·denoise) on, then 0 (SD/SDXL-Turbo's 1–4 steps). */
export function sdTurboSigmas(ms: ModelSamplingDiscrete, steps: number, denoise = 1): Float32Array {
  checkSteps('SDTurboScheduler', steps);
  if (steps > 10) throw new Error(`SDTurboScheduler: steps must be at most 10, got ${steps}`);
  checkDenoise('SDTurboScheduler', denoise);
  const start = 10 - Math.trunc(10 * denoise);
  const timesteps = Array.from({ length: 10 }, (_, i) => 999 - 100 * i).slice(start, start + steps);
  const out = new Float32Array(timesteps.length + 1);
  timesteps.forEach((t, i) => {
    out[i] = ms.sigma(t);
  });
  return out;
}

/** BetaSamplingScheduler: ComfyUI's beta schedule with the node's α, β. */
export function betaSamplingSigmas(ms: ModelSamplingDiscrete, steps: number, alpha = 0.6, beta = 0.6): Float32Array {
  checkSteps('BetaSamplingScheduler', steps);
  if (!(alpha > 0) || !(beta > 0)) throw new Error(`BetaSamplingScheduler: alpha and beta must be > 0, got ${alpha}, ${beta}`);
  return betaSigmas(ms, steps, alpha, beta);
}

/** k-diffusion `get_sigmas_laplace` (Tiankai et al. 2024): log σ Laplace-distributed around mu; no appended 0. */
export function laplaceSigmas(n: number, sigmaMin: number, sigmaMax: number, mu = 0, beta = 0.5): Float32Array {
  checkSteps('LaplaceScheduler', n);
  const eps = f(1e-5);
  return Float32Array.from(linspace32(0, 1, n), (x) => {
    const c = f(0.5 - x);
    const lmb = f(f(mu) - f(f(f(beta) * Math.sign(c)) * f(Math.log(f(f(1 - f(2 * Math.abs(c))) + eps)))));
    return Math.min(Math.max(f(Math.exp(lmb)), sigmaMin), sigmaMax);
  });
}

/** numpy.interp on ascending xs. */
function interp(x: number, xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  if (x <= xs[0]) return ys[0];
  const n = xs.length;
  if (x >= xs[n - 1]) return ys[n - 1];
  let i = 1;
  while (xs[i] < x) i++;
  const w = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
  return ys[i - 1] + w * (ys[i] - ys[i - 1]);
}

/** numpy.linspace(0, 1, n) in float64 (last point exactly 1). */
function unitLinspace(n: number): Float64Array {
  const out = Float64Array.from({ length: n }, (_, i) => (n > 1 ? i * (1 / (n - 1)) : 0));
  if (n > 1) out[n - 1] = 1;
  return out;
}

/** AYS / GITS `loglinear_interp`: resample a descending list to `num` points, linear in log σ (float64). */
export function loglinearInterp(tSteps: readonly number[], num: number): number[] {
  const ys = tSteps.map((v) => Math.log(v)).reverse();
  const xs = unitLinspace(tSteps.length);
  return Array.from(unitLinspace(num), (x) => Math.exp(interp(x, xs, ys))).reverse();
}

/**
 * Align Your Steps (Sabour et al. 2024, NVIDIA): the published 10-step noise levels per model type, as ComfyUI's
 * `nodes_align_your_steps.py` lists them.
 */
export const AYS_NOISE_LEVELS = {
  SD1: [
    14.6146412293, 6.4745760956, 3.8636745985, 2.694615152, 1.8841921177, 1.3943805092, 0.9642583904, 0.6523686016, 0.3977456272, 0.1515232662,
    0.0291671582,
  ],
  SDXL: [
    14.6146412293, 6.3184485287, 3.7681790315, 2.1811480769, 1.3405244945, 0.8620721141, 0.5550693289, 0.3798540708, 0.2332364134, 0.1114188177,
    0.0291671582,
  ],
  SVD: [700.0, 54.5, 15.886, 7.977, 4.248, 1.789, 0.981, 0.403, 0.173, 0.034, 0.002],
} as const;
export type AysModelType = keyof typeof AYS_NOISE_LEVELS;

/** AlignYourStepsScheduler: the table (log-linearly resampled to steps + 1), its last round(steps·denoise) steps, then 0. */
export function alignYourStepsSigmas(modelType: AysModelType, steps: number, denoise = 1): Float32Array {
  checkSteps('AlignYourStepsScheduler', steps);
  checkDenoise('AlignYourStepsScheduler', denoise);
  const levels = AYS_NOISE_LEVELS[modelType];
  if (!levels)
    throw new Error(`AlignYourStepsScheduler: model_type must be one of ${Object.keys(AYS_NOISE_LEVELS).join(', ')}, got "${String(modelType)}"`);
  let total = steps;
  if (denoise < 1) {
    if (denoise <= 0) return new Float32Array(0);
    total = roundHalfEven(steps * denoise);
  }
  let sigmas: number[] = [...levels];
  if (steps + 1 !== sigmas.length) sigmas = loglinearInterp(sigmas, steps + 1);
  const out = Float32Array.from(pySlice(sigmas, -(total + 1)));
  out[out.length - 1] = 0;
  return out;
}

/** Python's seq[start:end] (negative indices count from the end; out-of-range bounds clamp). */
export function pySlice<T extends ArrayLike<number>>(seq: T, start?: number, end?: number): number[] {
  const n = seq.length;
  const norm = (i: number | undefined, dflt: number): number => (i === undefined ? dflt : i < 0 ? Math.max(0, n + i) : Math.min(i, n));
  const s = norm(start, 0);
  const e = norm(end, n);
  return Array.from({ length: Math.max(0, e - s) }, (_, k) => seq[s + k]);
}

/** SplitSigmas: high = sigmas[:step + 1], low = sigmas[step:] (they share sigmas[step]). */
export function splitSigmas(sigmas: ArrayLike<number>, step: number): { high: Float32Array; low: Float32Array } {
  if (!Number.isInteger(step) || step < 0) throw new Error(`SplitSigmas: step must be an integer ≥ 0, got ${step}`);
  return { high: Float32Array.from(pySlice(sigmas, 0, step + 1)), low: Float32Array.from(pySlice(sigmas, step)) };
}

/**
 * SplitSigmasDenoise: the last round(steps·denoise) steps are `low`, the rest `high`. As in ComfyUI, `high` is
 * sigmas[:-k], so denoise 0 (k = 0) leaves `high` EMPTY and `low` the last sigma alone.
 */
export function splitSigmasDenoise(sigmas: ArrayLike<number>, denoise: number): { high: Float32Array; low: Float32Array } {
  checkDenoise('SplitSigmasDenoise', denoise);
  const steps = Math.max(sigmas.length - 1, 0);
  const total = roundHalfEven(steps * denoise);
  return { high: Float32Array.from(pySlice(sigmas, 0, -total)), low: Float32Array.from(pySlice(sigmas, -(total + 1))) };
}

/** FlipSigmas: reversed (for unsampling), a leading 0 replaced by 0.0001. */
export function flipSigmas(sigmas: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(sigmas).reverse();
  if (out.length > 0 && out[0] === 0) out[0] = 0.0001;
  return out;
}

/** SetFirstSigma: a copy with sigmas[0] = sigma. */
export function setFirstSigma(sigmas: ArrayLike<number>, sigma: number): Float32Array {
  if (sigmas.length === 0) throw new Error('SetFirstSigma: sigmas is empty');
  const out = Float32Array.from(sigmas);
  out[0] = sigma;
  return out;
}

/**
 * ExtendIntermediateSigmas: `steps − 1` extra points inside each step whose start lies in [end_at, start_at]
 * (start_at < 0 = no upper bound), spaced linear / cosine (sin ramp) / sine (1 − cos ramp).
 */
export function extendIntermediateSigmas(
  sigmas: ArrayLike<number>,
  steps: number,
  startAtSigma: number,
  endAtSigma: number,
  spacing: 'linear' | 'cosine' | 'sine',
): Float32Array {
  checkSteps('ExtendIntermediateSigmas', steps);
  const upper = startAtSigma < 0 ? Infinity : startAtSigma;
  const ramp = {
    linear: (x: number) => x,
    cosine: (x: number) => f(Math.sin(f(f(x * f(Math.PI)) / 2))),
    sine: (x: number) => f(1 - f(Math.cos(f(f(x * f(Math.PI)) / 2)))),
  }[spacing];
  if (!ramp) throw new Error(`ExtendIntermediateSigmas: spacing must be linear, cosine or sine, got "${String(spacing)}"`);
  const inner = Array.from(linspace32(0, 1, steps + 1))
    .slice(1, -1)
    .map(ramp);
  const out: number[] = [];
  for (let i = 0; i < sigmas.length - 1; i++) {
    const cur = sigmas[i];
    out.push(cur);
    if (endAtSigma <= cur && cur <= upper) for (const c of inner) out.push(f(f(c * f(sigmas[i + 1] - cur)) + cur));
  }
  if (sigmas.length > 0) out.push(sigmas[sigmas.length - 1]);
  return Float32Array.from(out);
}

/** SamplingPercentToSigma: the σ at a sampling percentage; return_actual_sigma gives σ_max / σ_min at 0 / 1. */
export function samplingPercentToSigma(ms: ModelSamplingDiscrete, percent: number, returnActualSigma = false): number {
  if (returnActualSigma && percent === 0) return ms.sigmaMax;
  if (returnActualSigma && percent === 1) return ms.sigmaMin;
  return ms.percentToSigma(percent);
}

/**
 * ManualSigmas: every number ComfyUI's pattern `[-+]?(?:\d*\.*\d+)` finds in the text, as float32 ("1e-3" is 1 and
 * -3 there too); a match Python's float() refuses (e.g. "1..5") is an error, as in ComfyUI.
 */
export function manualSigmas(text: string): Float32Array {
  const found = text.match(/[-+]?(?:\d*\.*\d+)/g) ?? [];
  return Float32Array.from(found, (s) => {
    const v = Number(s);
    if (Number.isNaN(v)) throw new Error(`"${s}" is not a number`);
    return v;
  });
}
