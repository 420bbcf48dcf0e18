/**
 * DPM-Solver++ family (Lu et al. 2022, "DPM-Solver++"), data-prediction form in t = −log σ,
 * after k-diffusion `sample_dpmpp_*`.
 */
import { ancestralStep, axpy, combine, lin, sigmaFromT, tFromSigma, toD } from './ops';
import { checkCancelled, requireNoise, type NoiseSource, type Sampler } from './types';

export const dpmpp2sAncestral: Sampler = async (model, x, sigmas, opts) => {
  const eta = opts.eta ?? 1;
  const sNoise = opts.sNoise ?? 1;
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const denoised = await model(x, sigmas[i]);
    const { sigmaDown, sigmaUp } = ancestralStep(sigmas[i], sigmas[i + 1], eta);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
    if (sigmaDown === 0) {
      x = axpy(x, toD(x, sigmas[i], denoised), sigmaDown - sigmas[i]);
    } else {
      const t = tFromSigma(sigmas[i]);
      const tNext = tFromSigma(sigmaDown);
      const h = tNext - t;
      const s = t + 0.5 * h;
      const x2 = lin(x, sigmaFromT(s) / sigmaFromT(t), denoised, -Math.expm1(-0.5 * h));
      const denoised2 = await model(x2, sigmaFromT(s));
      x = lin(x, sigmaFromT(tNext) / sigmaFromT(t), denoised2, -Math.expm1(-h));
    }
    if (sigmas[i + 1] > 0) x = axpy(x, requireNoise(opts, 'dpmpp_2s_ancestral')(sigmas[i], sigmas[i + 1]), sNoise * sigmaUp);
  }
  return x;
};

/** DPM-Solver++(2S) with SDE noise at the intermediate and final points ("dpmpp_sde"). */
export const dpmppSde: Sampler = async (model, x, sigmas, opts) => {
  const eta = opts.eta ?? 1;
  const sNoise = opts.sNoise ?? 1;
  const r = opts.r ?? 0.5;
  const noise: NoiseSource = (a, b) => requireNoise(opts, 'dpmpp_sde')(a, b);
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const denoised = await model(x, sigmas[i]);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
    if (sigmas[i + 1] === 0) {
      x = axpy(x, toD(x, sigmas[i], denoised), sigmas[i + 1] - sigmas[i]);
      continue;
    }
    const t = tFromSigma(sigmas[i]);
    const tNext = tFromSigma(sigmas[i + 1]);
    const h = tNext - t;
    const s = t + h * r;
    const fac = 1 / (2 * r);
    const st = sigmaFromT(t);
    let a = ancestralStep(st, sigmaFromT(s), eta);
    const s_ = tFromSigma(a.sigmaDown);
    let x2 = lin(x, sigmaFromT(s_) / st, denoised, -Math.expm1(t - s_));
    if (eta > 0 && sNoise > 0) x2 = axpy(x2, noise(st, sigmaFromT(s)), sNoise * a.sigmaUp);
    const denoised2 = await model(x2, sigmaFromT(s));
    a = ancestralStep(st, sigmaFromT(tNext), eta);
    const tNext_ = tFromSigma(a.sigmaDown);
    const denoisedD = lin(denoised, 1 - fac, denoised2, fac);
    x = lin(x, sigmaFromT(tNext_) / st, denoisedD, -Math.expm1(t - tNext_));
    if (eta > 0 && sNoise > 0) x = axpy(x, noise(st, sigmaFromT(tNext)), sNoise * a.sigmaUp);
  }
  return x;
};

export const dpmpp2m: Sampler = async (model, x, sigmas, opts) => {
  let oldDenoised: Float32Array | null = null;
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const denoised = await model(x, sigmas[i]);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
    const t = tFromSigma(sigmas[i]);
    const tNext = tFromSigma(sigmas[i + 1]);
    const h = tNext - t;
    const ratio = sigmas[i + 1] / sigmas[i];
    if (oldDenoised === null || sigmas[i + 1] === 0) {
      x = lin(x, ratio, denoised, -Math.expm1(-h));
    } else {
      const r = (t - tFromSigma(sigmas[i - 1])) / h;
      const denoisedD = lin(denoised, 1 + 1 / (2 * r), oldDenoised, -1 / (2 * r));
      x = lin(x, ratio, denoisedD, -Math.expm1(-h));
    }
    oldDenoised = denoised;
  }
  return x;
};

export const dpmpp2mSde: Sampler = async (model, x, sigmas, opts) => {
  const eta = opts.eta ?? 1;
  const sNoise = opts.sNoise ?? 1;
  const solver = opts.solverType ?? 'midpoint';
  if (solver !== 'midpoint' && solver !== 'heun') throw new Error(`dpmpp_2m_sde: solver_type must be 'heun' or 'midpoint', got '${solver}'`);
  let oldDenoised: Float32Array | null = null;
  let hLast = 0;
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const denoised = await model(x, sigmas[i]);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
    let h = 0;
    if (sigmas[i + 1] === 0) {
      x = denoised;
    } else {
      h = tFromSigma(sigmas[i + 1]) - tFromSigma(sigmas[i]);
      const etaH = eta * h;
      const phi = -Math.expm1(-h - etaH);
      x = lin(x, (sigmas[i + 1] / sigmas[i]) * Math.exp(-etaH), denoised, phi);
      if (oldDenoised !== null) {
        const r = hLast / h;
        const coef = solver === 'heun' ? (phi / (-h - etaH) + 1) / r : (0.5 * phi) / r;
        x = combine([
          [x, 1],
          [denoised, coef],
          [oldDenoised, -coef],
        ]);
      }
      if (eta > 0 && sNoise > 0) {
        const scale = sigmas[i + 1] * Math.sqrt(-Math.expm1(-2 * etaH)) * sNoise;
        x = axpy(x, requireNoise(opts, 'dpmpp_2m_sde')(sigmas[i], sigmas[i + 1]), scale);
      }
    }
    oldDenoised = denoised;
    hLast = h;
  }
  return x;
};

/** dpmpp_2m_sde with the Heun correction (ComfyUI `sample_dpmpp_2m_sde_heun`; a given solverType still wins). */
export const dpmpp2mSdeHeun: Sampler = (model, x, sigmas, opts) => dpmpp2mSde(model, x, sigmas, { ...opts, solverType: opts.solverType ?? 'heun' });

export const dpmpp3mSde: Sampler = async (model, x, sigmas, opts) => {
  const eta = opts.eta ?? 1;
  const sNoise = opts.sNoise ?? 1;
  let d1Prev: Float32Array | null = null; // denoised_1
  let d2Prev: Float32Array | null = null; // denoised_2
  let h1: number | null = null;
  let h2: number | null = null;
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const denoised = await model(x, sigmas[i]);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
    let h: number | null = null;
    if (sigmas[i + 1] === 0) {
      x = denoised;
    } else {
      h = tFromSigma(sigmas[i + 1]) - tFromSigma(sigmas[i]);
      const hEta = h * (eta + 1);
      x = lin(x, Math.exp(-hEta), denoised, -Math.expm1(-hEta));
      const phi2 = Math.expm1(-hEta) / hEta + 1;
      if (h2 !== null && h1 !== null && d1Prev && d2Prev) {
        const r0 = h1 / h;
        const r1 = h2 / h;
        const d10 = lin(denoised, 1 / r0, d1Prev, -1 / r0);
        const d11 = lin(d1Prev, 1 / r1, d2Prev, -1 / r1);
        const k = r0 / (r0 + r1);
        const d1 = lin(d10, 1 + k, d11, -k);
        const d2 = lin(d10, 1 / (r0 + r1), d11, -1 / (r0 + r1));
        const phi3 = phi2 / hEta - 0.5;
        x = combine([
          [x, 1],
          [d1, phi2],
          [d2, -phi3],
        ]);
      } else if (h1 !== null && d1Prev) {
        const r = h1 / h;
        x = combine([
          [x, 1],
          [denoised, phi2 / r],
          [d1Prev, -phi2 / r],
        ]);
      }
      if (eta > 0 && sNoise > 0) {
        const scale = sigmas[i + 1] * Math.sqrt(-Math.expm1(-2 * h * eta)) * sNoise;
        x = axpy(x, requireNoise(opts, 'dpmpp_3m_sde')(sigmas[i], sigmas[i + 1]), scale);
      }
    }
    d2Prev = d1Prev;
    d1Prev = denoised;
    h2 = h1;
    h1 = h;
  }
  return x;
};
