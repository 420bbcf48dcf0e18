/**
 * DEIS (Zhang & Chen 2023) "tab" mode, as ComfyUI `sample_deis`: Adams–Bashforth in the VP time τ
 * (σ mapped through the EDM-default VP fit σ_min 0.002, σ_max 80, ε_s 1e-3); the coefficient of each
 * past slope dx/dσ is ∫ (dσ/dτ)·ℓ_j(τ) dτ, evaluated with the reference's N-point Riemann sum.
 */
import { axpy, combine, toD } from './ops';
import { checkCancelled, type Sampler } from './types';

const N_QUAD = 10000;

function vpFit(epsS = 1e-3, sigmaMin = 0.002, sigmaMax = 80): { betaMin: number; betaD: number } {
  const betaD = (2 * (Math.log(sigmaMin ** 2 + 1) / epsS - Math.log(sigmaMax ** 2 + 1))) / (epsS - 1);
  return { betaD, betaMin: Math.log(sigmaMax ** 2 + 1) - 0.5 * betaD };
}

/** `get_deis_coeff_list(t_steps, max_order, deis_mode='tab')`. */
export function deisCoefficients(sigmas: ArrayLike<number>, maxOrder: number): number[][] {
  const { betaD, betaMin } = vpFit();
  const beta0 = betaMin;
  const beta1 = betaD + betaMin;
  const taus = Array.from(sigmas, (s) => (Math.sqrt(betaMin ** 2 + 2 * betaD * Math.log(s * s + 1)) - betaMin) / betaD);
  // dσ/dτ = −½ (log α)'(τ) / √(α(1−α)), log α(τ) = −½τ²(β1−β0) − τβ0
  const integrand = (tau: number): number => {
    const logAlpha = -0.5 * tau * tau * (beta1 - beta0) - tau * beta0;
    const alpha = Math.exp(logAlpha);
    const dLogAlpha = -tau * (beta1 - beta0) - beta0;
    return (-0.5 * dLogAlpha) / Math.sqrt(alpha * (1 - alpha));
  };
  const out: number[][] = [];
  for (let i = 0; i + 1 < taus.length; i++) {
    const order = Math.min(i + 1, maxOrder);
    if (order === 1) {
      out.push([]);
      continue;
    }
    const [tCur, tNext] = [taus[i], taus[i + 1]];
    const prev = Array.from({ length: order }, (_, k) => taus[i - k]);
    const dtau = (tNext - tCur) / N_QUAD;
    const coeffs = new Array<number>(order).fill(0);
    for (let q = 0; q < N_QUAD; q++) {
      const tau = tCur + ((tNext - tCur) * q) / (N_QUAD - 1);
      const w = integrand(tau);
      for (let j = 0; j < order; j++) {
        let poly = 1;
        for (let k = 0; k < order; k++) if (k !== j) poly *= (tau - prev[k]) / (prev[j] - prev[k]);
        coeffs[j] += w * poly;
      }
    }
    out.push(coeffs.map((c) => c * dtau));
  }
  return out;
}

export const deis: Sampler = async (model, x, sigmas, opts) => {
  const maxOrder = opts.order ?? 3;
  const coeffs = deisCoefficients(sigmas, maxOrder);
  const buffer: Float32Array[] = [];
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const [tCur, tNext] = [sigmas[i], sigmas[i + 1]];
    const denoised = await model(x, tCur);
    opts.callback?.({ i, x, sigma: tCur, sigmaHat: tCur, denoised });
    const d = toD(x, tCur, denoised);
    const order = tNext <= 0 ? 1 : Math.min(maxOrder, i + 1);
    if (order === 1) {
      x = axpy(x, d, tNext - tCur);
    } else {
      const c = coeffs[i];
      const terms: [Float32Array, number][] = [
        [x, 1],
        [d, c[0]],
      ];
      for (let k = 1; k < order; k++) terms.push([buffer[buffer.length - k], c[k]]);
      x = combine(terms);
    }
    buffer.push(d);
    if (buffer.length > maxOrder - 1) buffer.shift();
  }
  return x;
};
