/**
 * DPM-Solver (Lu et al. 2022) in its eps form over t = −log σ, after k-diffusion `DPMSolver`:
 * `dpm_fast` (fixed 3/2/1-order steps for a budget of NFEs) and `dpm_adaptive` (embedded
 * 2/3-order pair with a PID step-size controller). As in ComfyUI both run from σ_max down to
 * the smallest positive sigma of the schedule (they never step to 0).
 */
import { ancestralStep, axpy, combine } from './ops';
import { checkCancelled, requireNoise, type Denoiser, type Sampler } from './types';

const sigmaOf = (t: number): number => Math.exp(-t);
const tOf = (sigma: number): number => -Math.log(sigma);

class DpmSolver {
  nfe = 0;
  constructor(
    private readonly model: Denoiser,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async eps(cache: Map<string, Float32Array>, key: string, x: Float32Array, t: number): Promise<Float32Array> {
    const hit = cache.get(key);
    if (hit) return hit;
    checkCancelled(this.signal);
    const sigma = sigmaOf(t);
    const denoised = await this.model(x, sigma);
    this.nfe++;
    const e = Float32Array.from(x, (v, i) => (v - denoised[i]) / sigma);
    cache.set(key, e);
    return e;
  }

  async step1(x: Float32Array, t: number, tNext: number, cache: Map<string, Float32Array>): Promise<Float32Array> {
    const h = tNext - t;
    const eps = await this.eps(cache, 'eps', x, t);
    return axpy(x, eps, -sigmaOf(tNext) * Math.expm1(h));
  }

  async step2(x: Float32Array, t: number, tNext: number, cache: Map<string, Float32Array>, r1 = 0.5): Promise<Float32Array> {
    const h = tNext - t;
    const eps = await this.eps(cache, 'eps', x, t);
    const s1 = t + r1 * h;
    const u1 = axpy(x, eps, -sigmaOf(s1) * Math.expm1(r1 * h));
    const epsR1 = await this.eps(cache, 'eps_r1', u1, s1);
    const k = (sigmaOf(tNext) / (2 * r1)) * Math.expm1(h);
    return combine([
      [x, 1],
      [eps, -sigmaOf(tNext) * Math.expm1(h) + k],
      [epsR1, -k],
    ]);
  }

  async step3(x: Float32Array, t: number, tNext: number, cache: Map<string, Float32Array>, r1 = 1 / 3, r2 = 2 / 3): Promise<Float32Array> {
    const h = tNext - t;
    const eps = await this.eps(cache, 'eps', x, t);
    const s1 = t + r1 * h;
    const s2 = t + r2 * h;
    const u1 = axpy(x, eps, -sigmaOf(s1) * Math.expm1(r1 * h));
    const epsR1 = await this.eps(cache, 'eps_r1', u1, s1);
    const k2 = sigmaOf(s2) * (r2 / r1) * (Math.expm1(r2 * h) / (r2 * h) - 1);
    const u2 = combine([
      [x, 1],
      [eps, -sigmaOf(s2) * Math.expm1(r2 * h) + k2],
      [epsR1, -k2],
    ]);
    const epsR2 = await this.eps(cache, 'eps_r2', u2, s2);
    const k3 = (sigmaOf(tNext) / r2) * (Math.expm1(h) / h - 1);
    return combine([
      [x, 1],
      [eps, -sigmaOf(tNext) * Math.expm1(h) + k3],
      [epsR2, -k3],
    ]);
  }
}

/** ComfyUI's endpoints: σ_max = sigmas[0], σ_min = last sigma, or the one before a final 0. */
function endpoints(sigmas: ArrayLike<number>): { sigmaMin: number; sigmaMax: number } {
  const last = sigmas[sigmas.length - 1];
  return { sigmaMin: last === 0 ? sigmas[sigmas.length - 2] : last, sigmaMax: sigmas[0] };
}

export const dpmFast: Sampler = async (model, x, sigmas, opts) => {
  if (sigmas.length <= 1) return x;
  const { sigmaMin, sigmaMax } = endpoints(sigmas);
  const nfe = sigmas.length - 1;
  const eta = opts.eta ?? 0;
  const sNoise = opts.sNoise ?? 1;
  const solver = new DpmSolver(model, opts.signal);
  const tStart = tOf(sigmaMax);
  const tEnd = tOf(sigmaMin);
  const m = Math.floor(nfe / 3) + 1;
  const ts = Array.from({ length: m + 1 }, (_, i) => tStart + ((tEnd - tStart) * i) / m);
  const orders = nfe % 3 === 0 ? [...new Array<number>(m - 2).fill(3), 2, 1] : [...new Array<number>(m - 1).fill(3), nfe % 3];
  for (let i = 0; i < orders.length; i++) {
    const cache = new Map<string, Float32Array>();
    const [t, tNext] = [ts[i], ts[i + 1]];
    let tNext_ = tNext;
    let su = 0;
    if (eta) {
      const a = ancestralStep(sigmaOf(t), sigmaOf(tNext), eta);
      tNext_ = Math.min(tEnd, tOf(a.sigmaDown));
      su = Math.sqrt(sigmaOf(tNext) ** 2 - sigmaOf(tNext_) ** 2);
    }
    const eps = await solver.eps(cache, 'eps', x, t);
    const denoised = axpy(x, eps, -sigmaOf(t));
    opts.callback?.({ i, x, sigma: sigmaOf(t), sigmaHat: sigmaOf(t), denoised });
    if (orders[i] === 1) x = await solver.step1(x, t, tNext_, cache);
    else if (orders[i] === 2) x = await solver.step2(x, t, tNext_, cache);
    else x = await solver.step3(x, t, tNext_, cache);
    if (su) x = axpy(x, requireNoise(opts, 'dpm_fast')(sigmaOf(t), sigmaOf(tNext)), su * sNoise);
  }
  return x;
};

/** PID step-size control on the inverse error (Söderlind), as k-diffusion's PIDStepSizeController. */
class PidController {
  private errs: number[] = [];
  private readonly b1: number;
  private readonly b2: number;
  private readonly b3: number;
  constructor(
    public h: number,
    p: number,
    i: number,
    d: number,
    order: number,
    private readonly acceptSafety: number,
  ) {
    this.b1 = (p + i + d) / order;
    this.b2 = -(p + 2 * d) / order;
    this.b3 = d / order;
  }

  propose(error: number): boolean {
    const inv = 1 / (error + 1e-8);
    if (this.errs.length === 0) this.errs = [inv, inv, inv];
    this.errs[0] = inv;
    let factor = this.errs[0] ** this.b1 * this.errs[1] ** this.b2 * this.errs[2] ** this.b3;
    factor = 1 + Math.atan(factor - 1);
    const accept = factor >= this.acceptSafety;
    if (accept) {
      this.errs[2] = this.errs[1];
      this.errs[1] = this.errs[0];
    }
    this.h *= factor;
    return accept;
  }
}

export const dpmAdaptive: Sampler = async (model, xIn, sigmas, opts) => {
  if (sigmas.length <= 1) return xIn;
  const { sigmaMin, sigmaMax } = endpoints(sigmas);
  const order = opts.order === 2 ? 2 : 3; // embedded pair: 1/2 or 2/3
  const rtol = opts.rtol ?? 0.05;
  const atol = opts.atol ?? 0.0078;
  const eta = opts.eta ?? 0;
  const sNoise = opts.sNoise ?? 1;
  const solver = new DpmSolver(model, opts.signal);
  const tStart = tOf(sigmaMax);
  const tEnd = tOf(sigmaMin);
  const pid = new PidController(
    Math.abs(opts.hInit ?? 0.05),
    opts.pcoeff ?? 0,
    opts.icoeff ?? 1,
    opts.dcoeff ?? 0,
    eta ? 1.5 : order,
    opts.acceptSafety ?? 0.81,
  );
  let s = tStart;
  let x = xIn;
  let xPrev = xIn;
  let stepCount = 0;
  while (s < tEnd - 1e-5) {
    const cache = new Map<string, Float32Array>();
    const t = Math.min(tEnd, s + pid.h);
    let t_ = t;
    let su = 0;
    if (eta) {
      const a = ancestralStep(sigmaOf(s), sigmaOf(t), eta);
      t_ = Math.min(tEnd, tOf(a.sigmaDown));
      su = Math.sqrt(sigmaOf(t) ** 2 - sigmaOf(t_) ** 2);
    }
    const eps = await solver.eps(cache, 'eps', x, s);
    const denoised = axpy(x, eps, -sigmaOf(s));
    const xLow = order === 2 ? await solver.step1(x, s, t_, cache) : await solver.step2(x, s, t_, cache, 1 / 3);
    const xHigh = order === 2 ? await solver.step2(x, s, t_, cache) : await solver.step3(x, s, t_, cache);
    let sq = 0;
    for (let i = 0; i < x.length; i++) {
      const delta = Math.max(atol, rtol * Math.max(Math.abs(xLow[i]), Math.abs(xPrev[i])));
      sq += ((xLow[i] - xHigh[i]) / delta) ** 2;
    }
    const error = Math.sqrt(sq) / Math.sqrt(x.length);
    if (pid.propose(error)) {
      xPrev = xLow;
      x = su ? axpy(xHigh, requireNoise(opts, 'dpm_adaptive')(sigmaOf(s), sigmaOf(t)), su * sNoise) : xHigh;
      s = t;
    }
    // As ComfyUI's info callback: once per attempt, with x and σ after it (unchanged when rejected).
    opts.callback?.({ i: stepCount++, x, sigma: sigmaOf(s), sigmaHat: sigmaOf(s), denoised });
  }
  return x;
};
