/**
 * Sigma schedules (descending, ending in 0 unless stated), after ComfyUI `comfy/samplers.py`
 * `calculate_sigmas` and k-diffusion `get_sigmas_*`. float32 where torch computes in float32.
 */
import { betaPpf } from './beta-dist';
import { linspace32, linspace64, type ModelSamplingDiscrete } from './model-sampling';

const f = Math.fround;

import { SCHEDULER_NAMES, type SchedulerName } from './names';

export { SCHEDULER_NAMES, type SchedulerName };

function appendZero(s: ArrayLike<number>): Float32Array {
  const out = new Float32Array(s.length + 1);
  out.set(s);
  return out;
}

/** k-diffusion `get_sigmas_karras` (Karras et al. 2022, eq. 5). */
export function karrasSigmas(n: number, sigmaMin: number, sigmaMax: number, rho = 7): Float32Array {
  const ramp = linspace32(0, 1, n);
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  return appendZero(Array.from(ramp, (r) => (maxInv + r * (minInv - maxInv)) ** rho));
}

/** k-diffusion `get_sigmas_exponential`: uniform in log sigma. */
export function exponentialSigmas(n: number, sigmaMin: number, sigmaMax: number): Float32Array {
  return appendZero(Array.from(linspace32(Math.log(sigmaMax), Math.log(sigmaMin), n), (v) => Math.exp(v)));
}

/** k-diffusion `get_sigmas_polyexponential`: log sigma polynomial in the ramp (rho 1 = exponential). */
export function polyexponentialSigmas(n: number, sigmaMin: number, sigmaMax: number, rho = 1): Float32Array {
  const lmin = Math.log(sigmaMin);
  const lmax = Math.log(sigmaMax);
  return appendZero(Array.from(linspace32(1, 0, n), (r) => Math.exp(r ** rho * (lmax - lmin) + lmin)));
}

/**
 * `get_sigmas_vp`: continuous VP-SDE schedule (model independent), float32 as torch computes it. ComfyUI's copy
 * takes expm1; crowsonkb k-diffusion's `exp(x) − 1` (`expm1: false`) cancels in float32 near t = eps_s (2e-4 at
 * the last sigma for the defaults).
 */
export function vpSigmas(n: number, betaD = 19.9, betaMin = 0.1, epsS = 1e-3, { expm1 = true } = {}): Float32Array {
  const bd = f(betaD);
  const bm = f(betaMin);
  return appendZero(
    Array.from(linspace32(1, epsS, n), (t) => {
      const e = f(f(f(bd * f(t * t)) / 2) + f(bm * t));
      return f(Math.sqrt(expm1 ? f(Math.expm1(e)) : f(f(Math.exp(e)) - 1)));
    }),
  );
}

/** ComfyUI `normal_scheduler` (sgm = `sgm_uniform`): timesteps evenly spaced, sigma by log interpolation. */
export function normalSigmas(ms: ModelSamplingDiscrete, steps: number, sgm = false): Float32Array {
  const start = ms.timestep(ms.sigmaMax);
  const end = ms.timestep(ms.sigmaMin);
  let appendZeroFlag = true;
  let ts: Float32Array;
  if (sgm) {
    ts = linspace32(start, end, steps + 1).subarray(0, steps);
  } else {
    let n = steps;
    if (Math.abs(ms.sigma(end)) <= 1e-5) {
      n += 1;
      appendZeroFlag = false;
    }
    ts = linspace32(start, end, n);
  }
  const sigs = Array.from(ts, (t) => ms.sigma(t));
  return appendZeroFlag ? appendZero(sigs) : Float32Array.from(sigs);
}

/** ComfyUI `simple_scheduler`: every (1000/steps)-th table sigma from the top. */
export function simpleSigmas(ms: ModelSamplingDiscrete, steps: number): Float32Array {
  const n = ms.sigmas.length;
  const ss = n / steps;
  return appendZero(Array.from({ length: steps }, (_, x) => ms.sigmas[n - 1 - Math.trunc(x * ss)]));
}

/** ComfyUI `ddim_uniform`: table entries 1, 1+k, 1+2k, … (k = 1000 // steps), reversed, plus 0. */
export function ddimUniformSigmas(ms: ModelSamplingDiscrete, steps: number): Float32Array {
  const n = ms.sigmas.length;
  let x = 1;
  let count = steps;
  const sigs: number[] = [];
  if (Math.abs(ms.sigmas[x]) <= 1e-5) count += 1;
  else sigs.push(0);
  const ss = Math.max(Math.floor(n / count), 1);
  while (x < n) {
    sigs.push(ms.sigmas[x]);
    x += ss;
  }
  return Float32Array.from(sigs.reverse());
}

/** ComfyUI `beta_scheduler` (Lee et al. 2024): timesteps at Beta(α,β) quantiles; repeats dropped. */
export function betaSigmas(ms: ModelSamplingDiscrete, steps: number, alpha = 0.6, beta = 0.6): Float32Array {
  const total = ms.sigmas.length - 1;
  const sigs: number[] = [];
  let last = -1;
  for (let i = 0; i < steps; i++) {
    const q = 1 - i / steps;
    // numpy.rint: round half to even. An exact tie only arises at the median of a symmetric Beta, where scipy's
    // answer carries its own last-bit noise: Beta(0.6, 0.6).ppf(0.5) = 0.5 + 1 ulp (so 24.5 → 25 on LCM's table),
    // which we reproduce for ComfyUI's default α = β = 0.6; other symmetric pairs keep the even rounding.
    const raw = betaPpf(q, alpha, beta) * total;
    let t = Math.round(raw);
    const tieUp = q === 0.5 && alpha === 0.6 && beta === 0.6;
    if (Math.abs(raw - Math.trunc(raw)) === 0.5 && t % 2 !== 0 && !tieUp) t -= 1;
    if (t !== last) sigs.push(ms.sigmas[t]);
    last = t;
  }
  return appendZero(sigs);
}

/** ComfyUI `linear_quadratic_schedule` (Mochi): linear then quadratic in 1 − σ/σ_max. */
export function linearQuadraticSigmas(ms: ModelSamplingDiscrete, steps: number, thresholdNoise = 0.025, linearSteps?: number): Float32Array {
  let schedule: number[];
  if (steps === 1) {
    schedule = [1, 0];
  } else {
    const ls = linearSteps ?? Math.trunc(steps / 2);
    const lin = Array.from({ length: ls }, (_, i) => (i * thresholdNoise) / ls);
    const stepDiff = ls - thresholdNoise * steps;
    const qs = steps - ls;
    const qCoef = stepDiff / (ls * qs ** 2);
    const lCoef = thresholdNoise / ls - (2 * stepDiff) / qs ** 2;
    const c = qCoef * ls ** 2;
    const quad = Array.from({ length: steps - ls }, (_, k) => {
      const i = ls + k;
      return qCoef * i * i + lCoef * i + c;
    });
    schedule = [...lin, ...quad, 1].map((x) => 1 - x);
  }
  return Float32Array.from(schedule, (v) => f(v) * ms.sigmaMax);
}

/**
 * ComfyUI `kl_optimal_scheduler` (Align Your Steps, eq. for KL-optimal): tan-linear in atan σ. The angle is summed
 * in float32 as torch does: near π/2 (zsnr's σ_max ≈ 4519) tan amplifies its rounding ~2000×.
 */
export function klOptimalSigmas(n: number, sigmaMin: number, sigmaMax: number): Float32Array {
  const out = new Float32Array(n + 1);
  const aMin = f(Math.atan(sigmaMin));
  const aMax = f(Math.atan(sigmaMax));
  for (let i = 0; i < n; i++) {
    const w = f(i / (n - 1));
    out[i] = Math.tan(f(f(w * aMin) + f(f(1 - w) * aMax)));
  }
  return out;
}

/** ComfyUI `calculate_sigmas(model_sampling, scheduler_name, steps)`. */
export function calculateSigmas(ms: ModelSamplingDiscrete, scheduler: SchedulerName, steps: number): Float32Array {
  const sMin = ms.sigmaMin;
  const sMax = ms.sigmaMax;
  switch (scheduler) {
    case 'normal':
      return normalSigmas(ms, steps);
    case 'sgm_uniform':
      return normalSigmas(ms, steps, true);
    case 'karras':
      return karrasSigmas(steps, sMin, sMax);
    case 'exponential':
      return exponentialSigmas(steps, sMin, sMax);
    case 'simple':
      return simpleSigmas(ms, steps);
    case 'ddim_uniform':
      return ddimUniformSigmas(ms, steps);
    case 'beta':
      return betaSigmas(ms, steps);
    case 'linear_quadratic':
      return linearQuadraticSigmas(ms, steps);
    case 'kl_optimal':
      return klOptimalSigmas(steps, sMin, sMax);
  }
}

/** k-diffusion `CompVisDenoiser.get_sigmas(n)`: t = linspace(999, 0, n), unquantized log-sigma interpolation, plus 0. */
export function kdiffusionDiscreteSigmas(ms: ModelSamplingDiscrete, n: number): Float32Array {
  // k-diffusion's table comes from float32 alphas_cumprod (≤1.3e-5 from ComfyUI's float64 one).
  const logSigmas = Float32Array.from(ms.alphasCumprod, (ac64) => {
    const ac = f(ac64);
    return Math.log(f(Math.sqrt(f(f(1 - ac) / ac))));
  });
  const tMax = logSigmas.length - 1;
  return appendZero(
    Array.from(linspace32(tMax, 0, n), (t) => {
      const lo = Math.floor(t);
      const hi = Math.ceil(t);
      const w = f(t - lo);
      return f(Math.exp(f(f(f(1 - w) * logSigmas[lo]) + f(w * logSigmas[hi]))));
    }),
  );
}

export { linspace64 };
