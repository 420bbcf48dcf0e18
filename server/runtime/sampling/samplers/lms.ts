/** Linear multistep (k-diffusion `sample_lms`): Adams–Bashforth-style in σ with exact Lagrange integrals. */
import { axpy, combine, toD } from './ops';
import { checkCancelled, type Sampler } from './types';

// 3-point Gauss–Legendre is exact for the degree ≤ 3 Lagrange polynomials of order ≤ 4.
const GL_X = [-Math.sqrt(3 / 5), 0, Math.sqrt(3 / 5)];
const GL_W = [5 / 9, 8 / 9, 5 / 9];

/** ∫_{t[i]}^{t[i+1]} ℓ_j(τ) dτ, ℓ_j the Lagrange basis on t[i], t[i−1], …, t[i−order+1]. */
export function linearMultistepCoeff(order: number, t: ArrayLike<number>, i: number, j: number): number {
  if (order - 1 > i) throw new Error(`order ${order} too high for step ${i}`);
  const basis = (tau: number): number => {
    let prod = 1;
    for (let k = 0; k < order; k++) {
      if (k !== j) prod *= (tau - t[i - k]) / (t[i - j] - t[i - k]);
    }
    return prod;
  };
  const a = t[i];
  const b = t[i + 1];
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  let sum = 0;
  for (let q = 0; q < 3; q++) sum += GL_W[q] * basis(mid + half * GL_X[q]);
  return sum * half;
}

export const lms: Sampler = async (model, x, sigmas, opts) => {
  const order = opts.order ?? 4;
  const ds: Float32Array[] = [];
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const denoised = await model(x, sigmas[i]);
    ds.push(toD(x, sigmas[i], denoised));
    if (ds.length > order) ds.shift();
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
    if (opts.finalDenoise && sigmas[i + 1] === 0) {
      x = denoised;
      continue;
    }
    const cur = Math.min(i + 1, order);
    const terms: [Float32Array, number][] = [];
    for (let j = 0; j < cur; j++) terms.push([ds[ds.length - 1 - j], linearMultistepCoeff(cur, sigmas, i, j)]);
    x = axpy(x, combine(terms), 1);
  }
  return x;
};
