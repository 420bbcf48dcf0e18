/** Euler-family samplers (Karras et al. 2022, Algorithms 1–2), after k-diffusion `sampling.py`. */
import { ancestralStep, axpy, combine, toD } from './ops';
import { checkCancelled, requireNoise, type Sampler, type SamplerOptions } from './types';

/** Karras "churn": optionally raise σ to σ̂ = σ(1+γ) by adding fresh noise. */
function churn(x: Float32Array, sigma: number, nSteps: number, opts: SamplerOptions): { x: Float32Array; sigmaHat: number } {
  const sChurn = opts.sChurn ?? 0;
  const inRange = sigma >= (opts.sTmin ?? 0) && sigma <= (opts.sTmax ?? Infinity);
  const gamma = inRange ? Math.min(sChurn / nSteps, Math.SQRT2 - 1) : 0;
  const sigmaHat = sigma * (gamma + 1);
  if (gamma <= 0) return { x, sigmaHat };
  const eps = requireNoise(opts, 'churn')(sigma, sigmaHat);
  return { x: axpy(x, eps, (opts.sNoise ?? 1) * Math.sqrt(sigmaHat ** 2 - sigma ** 2)), sigmaHat };
}

export const euler: Sampler = async (model, x, sigmas, opts) => {
  const n = sigmas.length - 1;
  for (let i = 0; i < n; i++) {
    checkCancelled(opts.signal);
    const c = churn(x, sigmas[i], n, opts);
    x = c.x;
    const denoised = await model(x, c.sigmaHat);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: c.sigmaHat, denoised });
    x = axpy(x, toD(x, c.sigmaHat, denoised), sigmas[i + 1] - c.sigmaHat);
  }
  return x;
};

export const eulerAncestral: Sampler = async (model, x, sigmas, opts) => {
  const eta = opts.eta ?? 1;
  const sNoise = opts.sNoise ?? 1;
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const denoised = await model(x, sigmas[i]);
    const { sigmaDown, sigmaUp } = ancestralStep(sigmas[i], sigmas[i + 1], eta);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
    if (sigmaDown === 0) {
      x = denoised;
    } else {
      x = axpy(x, toD(x, sigmas[i], denoised), sigmaDown - sigmas[i]);
      x = axpy(x, requireNoise(opts, 'euler_ancestral')(sigmas[i], sigmas[i + 1]), sNoise * sigmaUp);
    }
  }
  return x;
};

export const heun: Sampler = async (model, x, sigmas, opts) => {
  const n = sigmas.length - 1;
  for (let i = 0; i < n; i++) {
    checkCancelled(opts.signal);
    const c = churn(x, sigmas[i], n, opts);
    x = c.x;
    const denoised = await model(x, c.sigmaHat);
    const d = toD(x, c.sigmaHat, denoised);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: c.sigmaHat, denoised });
    const dt = sigmas[i + 1] - c.sigmaHat;
    if (sigmas[i + 1] === 0) {
      x = axpy(x, d, dt);
    } else {
      const x2 = axpy(x, d, dt);
      const d2 = toD(x2, sigmas[i + 1], await model(x2, sigmas[i + 1]));
      x = axpy(
        x,
        combine([
          [d, 0.5],
          [d2, 0.5],
        ]),
        dt,
      );
    }
  }
  return x;
};

/** heunpp2: Heun with a third evaluation, weights proportional to σ (ComfyUI `sample_heunpp2`). */
export const heunpp2: Sampler = async (model, x, sigmas, opts) => {
  const n = sigmas.length - 1;
  const sEnd = sigmas[n];
  for (let i = 0; i < n; i++) {
    checkCancelled(opts.signal);
    const c = churn(x, sigmas[i], n, opts);
    x = c.x;
    const denoised = await model(x, c.sigmaHat);
    const d = toD(x, c.sigmaHat, denoised);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: c.sigmaHat, denoised });
    const dt = sigmas[i + 1] - c.sigmaHat;
    if (sigmas[i + 1] === sEnd) {
      x = axpy(x, d, dt);
    } else if (sigmas[i + 2] === sEnd) {
      const x2 = axpy(x, d, dt);
      const d2 = toD(x2, sigmas[i + 1], await model(x2, sigmas[i + 1]));
      const w2 = sigmas[i + 1] / (2 * sigmas[0]);
      x = axpy(
        x,
        combine([
          [d, 1 - w2],
          [d2, w2],
        ]),
        dt,
      );
    } else {
      const x2 = axpy(x, d, dt);
      const d2 = toD(x2, sigmas[i + 1], await model(x2, sigmas[i + 1]));
      const x3 = axpy(x2, d2, sigmas[i + 2] - sigmas[i + 1]);
      const d3 = toD(x3, sigmas[i + 2], await model(x3, sigmas[i + 2]));
      const w = 3 * sigmas[0];
      const w2 = sigmas[i + 1] / w;
      const w3 = sigmas[i + 2] / w;
      x = axpy(
        x,
        combine([
          [d, 1 - w2 - w3],
          [d2, w2],
          [d3, w3],
        ]),
        dt,
      );
    }
  }
  return x;
};

/** Geometric midpoint of two sigmas (k-diffusion: log-lerp at 0.5). */
const logMid = (a: number, b: number): number => Math.exp(Math.log(a) + 0.5 * (Math.log(b) - Math.log(a)));

/** DPM-Solver-2 (Karras et al. variant, "dpm_2"): midpoint in log σ. */
export const dpm2: Sampler = async (model, x, sigmas, opts) => {
  const n = sigmas.length - 1;
  for (let i = 0; i < n; i++) {
    checkCancelled(opts.signal);
    const c = churn(x, sigmas[i], n, opts);
    x = c.x;
    const denoised = await model(x, c.sigmaHat);
    const d = toD(x, c.sigmaHat, denoised);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: c.sigmaHat, denoised });
    if (sigmas[i + 1] === 0) {
      x = axpy(x, d, sigmas[i + 1] - c.sigmaHat);
    } else {
      const sigmaMid = logMid(c.sigmaHat, sigmas[i + 1]);
      const x2 = axpy(x, d, sigmaMid - c.sigmaHat);
      const d2 = toD(x2, sigmaMid, await model(x2, sigmaMid));
      x = axpy(x, d2, sigmas[i + 1] - c.sigmaHat);
    }
  }
  return x;
};

export const dpm2Ancestral: Sampler = async (model, x, sigmas, opts) => {
  const eta = opts.eta ?? 1;
  const sNoise = opts.sNoise ?? 1;
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const denoised = await model(x, sigmas[i]);
    const { sigmaDown, sigmaUp } = ancestralStep(sigmas[i], sigmas[i + 1], eta);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
    const d = toD(x, sigmas[i], denoised);
    if (sigmaDown === 0) {
      x = axpy(x, d, sigmaDown - sigmas[i]);
    } else {
      const sigmaMid = logMid(sigmas[i], sigmaDown);
      const x2 = axpy(x, d, sigmaMid - sigmas[i]);
      const d2 = toD(x2, sigmaMid, await model(x2, sigmaMid));
      x = axpy(x, d2, sigmaDown - sigmas[i]);
      x = axpy(x, requireNoise(opts, 'dpm_2_ancestral')(sigmas[i], sigmas[i + 1]), sNoise * sigmaUp);
    }
  }
  return x;
};
