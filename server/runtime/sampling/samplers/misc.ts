/** ddpm, lcm, ipndm and ipndm_v, after ComfyUI's additions to k-diffusion `sampling.py`. */
import { axpy, combine, toD } from './ops';
import { checkCancelled, requireNoise, type Sampler } from './types';

/** Ancestral DDPM posterior step, run in the variance-preserving frame x/√(1+σ²). */
export const ddpm: Sampler = async (model, x, sigmas, opts) => {
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const sigma = sigmas[i];
    const sigmaPrev = sigmas[i + 1];
    const denoised = await model(x, sigma);
    opts.callback?.({ i, x, sigma, sigmaHat: sigma, denoised });
    const eps = toD(x, sigma, denoised);
    const ac = 1 / (sigma * sigma + 1);
    const acPrev = 1 / (sigmaPrev * sigmaPrev + 1);
    const alpha = ac / acPrev;
    const vpScale = 1 / Math.sqrt(1 + sigma * sigma);
    const k = Math.sqrt(1 / alpha);
    const epsCoef = (1 - alpha) / Math.sqrt(1 - ac);
    let mu: Float32Array = new Float32Array(x.length);
    for (let j = 0; j < x.length; j++) mu[j] = k * (x[j] * vpScale - epsCoef * eps[j]);
    if (sigmaPrev > 0) {
      const std = Math.sqrt(((1 - alpha) * (1 - acPrev)) / (1 - ac));
      mu = axpy(mu, requireNoise(opts, 'ddpm')(sigma, sigmaPrev), std);
      for (let j = 0; j < mu.length; j++) mu[j] *= Math.sqrt(1 + sigmaPrev * sigmaPrev);
    }
    x = mu;
  }
  return x;
};

/** Latent Consistency Model sampling: jump to the denoised estimate, re-noise to the next σ. */
export const lcm: Sampler = async (model, x, sigmas, opts) => {
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const denoised = await model(x, sigmas[i]);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
    x = denoised;
    if (sigmas[i + 1] > 0) {
      const n = requireNoise(opts, 'lcm')(sigmas[i], sigmas[i + 1]);
      x = opts.noiseScaling ? opts.noiseScaling(sigmas[i + 1], n, x) : axpy(x, n, sigmas[i + 1]);
    }
  }
  return x;
};

/** Improved PNDM (Zhang & Chen 2022): Adams–Bashforth on dx/dσ with up to `order` (4) past slopes. */
export const ipndm: Sampler = async (model, x, sigmas, opts) => {
  const maxOrder = opts.order ?? 4;
  const buffer: Float32Array[] = [];
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const tCur = sigmas[i];
    const tNext = sigmas[i + 1];
    const denoised = await model(x, tCur);
    opts.callback?.({ i, x, sigma: tCur, sigmaHat: tCur, denoised });
    const d = toD(x, tCur, denoised);
    const order = Math.min(maxOrder, i + 1);
    buffer.push(d);
    if (tNext === 0) {
      x = denoised;
    } else {
      x = axpy(x, ipndmSlope(d, buffer, order), tNext - tCur);
    }
    if (buffer.length > maxOrder - 1) buffer.shift();
  }
  return x;
};

/** Adams–Bashforth slope of the given order; `history` ends with the current slope d. */
function ipndmSlope(d: Float32Array, history: Float32Array[], order: number): Float32Array {
  const b = (k: number): Float32Array => history[history.length - 1 - k];
  if (order === 1) return d;
  if (order === 2)
    return combine([
      [d, 3 / 2],
      [b(1), -1 / 2],
    ]);
  if (order === 3)
    return combine([
      [d, 23 / 12],
      [b(1), -16 / 12],
      [b(2), 5 / 12],
    ]);
  return combine([
    [d, 55 / 24],
    [b(1), -59 / 24],
    [b(2), 37 / 24],
    [b(3), -9 / 24],
  ]);
}

/**
 * iPNDM with variable step sizes (ComfyUI `sample_ipndm_v`, after zju-pi/diff-sampler): the Adams–Bashforth
 * weights are recomputed from the actual σ spacing instead of assuming equal steps.
 */
export const ipndmV: Sampler = async (model, x, sigmas, opts) => {
  const maxOrder = opts.order ?? 4;
  const buffer: Float32Array[] = [];
  const t = sigmas;
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const tCur = t[i];
    const tNext = t[i + 1];
    const denoised = await model(x, tCur);
    opts.callback?.({ i, x, sigma: tCur, sigmaHat: tCur, denoised });
    const d = toD(x, tCur, denoised);
    const order = Math.min(maxOrder, i + 1);
    if (tNext === 0) {
      x = denoised;
    } else if (order === 1) {
      x = axpy(x, d, tNext - tCur);
    } else {
      const b = (k: number): Float32Array => buffer[buffer.length - k];
      const hn = tNext - tCur;
      const hn1 = tCur - t[i - 1];
      let slope: Float32Array;
      if (order === 2) {
        slope = combine([
          [d, (2 + hn / hn1) / 2],
          [b(1), -(hn / hn1) / 2],
        ]);
      } else {
        const hn2 = t[i - 1] - t[i - 2];
        const temp1 = (1 - (hn / (3 * (hn + hn1))) * ((hn * (hn + hn1)) / (hn1 * (hn1 + hn2)))) / 2;
        if (order === 3) {
          slope = combine([
            [d, (2 + hn / hn1) / 2 + temp1],
            [b(1), -(hn / hn1) / 2 - (1 + hn1 / hn2) * temp1],
            [b(2), (temp1 * hn1) / hn2],
          ]);
        } else {
          const hn3 = t[i - 2] - t[i - 3];
          const temp2 =
            ((1 - hn / (3 * (hn + hn1))) / 2 + ((1 - hn / (2 * (hn + hn1))) * hn) / (6 * (hn + hn1 + hn2))) *
            ((hn * (hn + hn1) * (hn + hn1 + hn2)) / (hn1 * (hn1 + hn2) * (hn1 + hn2 + hn3)));
          const q = (hn1 * (hn1 + hn2)) / (hn2 * (hn2 + hn3));
          slope = combine([
            [d, (2 + hn / hn1) / 2 + temp1 + temp2],
            [b(1), -(hn / hn1) / 2 - (1 + hn1 / hn2) * temp1 - (1 + hn1 / hn2 + q) * temp2],
            [b(2), (temp1 * hn1) / hn2 + (hn1 / hn2 + q * (1 + hn2 / hn3)) * temp2],
            [b(3), (-temp2 * q * hn1) / hn2],
          ]);
        }
      }
      x = axpy(x, slope, hn);
    }
    buffer.push(d);
    if (buffer.length > maxOrder - 1) buffer.shift();
  }
  return x;
};
