/**
 * SA-Solver (Xue et al. 2023, arXiv 2309.05019: stochastic Adams predictor–corrector in data prediction),
 * after ComfyUI's `sample_sa_solver` and `k_diffusion/sa_solver.py`, with λ = −log σ (ε/v models).
 * Coefficients are the exact integrals of the Lagrange basis on past λ's against e^{(1+τ²)λ}, solved here
 * in float64 (ComfyUI solves its Vandermonde system in float32).
 */
import { combine, solveLinear, tFromSigma } from './ops';
import { checkCancelled, requireNoise, type Sampler } from './types';

/** log n! for the small n used here. */
const logFactorial = (n: number): number => {
  let s = 0;
  for (let k = 2; k <= n; k++) s += Math.log(k);
  return s;
};

/**
 * ∫_s^t e^{(1+τ²)(x − t)} x^p dx · (1+τ²) for p = 0 … order−1, by ComfyUI's integration-by-parts recursion
 * (`compute_exponential_coeffs`).
 */
function exponentialCoeffs(s: number, t: number, order: number, tau: number): number[] {
  const tauMul = 1 + tau * tau;
  const h = t - s;
  const product = Array.from({ length: order }, (_, p) => t ** p - s ** p * Math.exp(-tauMul * h));
  return product.map((_, i) => {
    let sum = 0;
    for (let j = 0; j <= i; j++) {
      let logc = logFactorial(i) - logFactorial(j);
      if (tau > 0) logc -= (i - j) * Math.log(tauMul);
      sum += ((i - j) % 2 === 0 ? 1 : -1) * Math.exp(logc) * product[j];
    }
    return sum;
  });
}

/** `compute_stochastic_adams_b_coeffs`: weights of the past data predictions at `lambdas` for the step λs → λt. */
export function stochasticAdamsCoeffs(
  sigmaNext: number,
  lambdas: readonly number[],
  lambdaS: number,
  lambdaT: number,
  tau: number,
  simpleOrder2: boolean,
  corrector: boolean,
): number[] {
  const n = lambdas.length;
  const alphaT = sigmaNext * Math.exp(lambdaT);
  if (simpleOrder2 && n === 2) {
    const tauMul = 1 + tau * tau;
    const h = lambdaT - lambdaS;
    const full = alphaT * -Math.expm1(-h * tauMul);
    if (corrector) {
      const b1 = alphaT * 0.5 * tauMul * h;
      return [full - b1, b1];
    }
    const b2 = (alphaT * 0.5 * tauMul * h * h) / (lambdas[n - 2] - lambdaS);
    return [b2, full - b2];
  }
  const rhs = exponentialCoeffs(lambdaS, lambdaT, n, tau);
  // Vandermondeᵀ: row p holds λ_k^p.
  const vt = Array.from({ length: n }, (_, p) => lambdas.map((l) => l ** p));
  return solveLinear(vt, rhs).map((v) => alphaT * v);
}

/** ComfyUI's default stochasticity: τ = eta on σ between two sampling percentages, else 0 (an ODE step). */
export function saSolverTau(percentToSigma: (p: number) => number, startPercent = 0.2, endPercent = 0.8, eta = 1): (sigma: number) => number {
  const start = percentToSigma(startPercent);
  const end = percentToSigma(endPercent);
  return (sigma) => (eta <= 0 ? 0 : start >= sigma && sigma >= end ? eta : 0);
}

function saSolverWith(name: string, pece: boolean | undefined): Sampler {
  return async (model, xIn, sigmas, opts) => {
    if (sigmas.length <= 1) return xIn;
    if (!opts.tau)
      throw new Error(`${name} needs opts.tau (its stochasticity per σ; saSolverTau(modelSampling.percentToSigma) is ComfyUI's default)`);
    const tauFn = opts.tau;
    const sNoise = opts.sNoise ?? 1;
    const predictorOrder = opts.predictorOrder ?? 3;
    const correctorOrder = opts.correctorOrder ?? 4;
    const usePece = pece ?? opts.usePece ?? false;
    const simple2 = opts.simpleOrder2 ?? false;
    const lambdas = Array.from(sigmas, tFromSigma);
    const maxUsed = Math.max(predictorOrder, correctorOrder);
    const n = sigmas.length;
    const lowerOrderToEnd = sigmas[n - 1] === 0;
    let x = xIn;
    let xPred = xIn;
    let h = 0;
    let tau = 0;
    let noise: Float32Array | null = null;
    let preds: Float32Array[] = [];
    const weighted = (count: number, b: number[]): Float32Array =>
      combine(b.map((c, k): [Float32Array, number] => [preds[preds.length - count + k], c]));
    for (let i = 0; i < n - 1; i++) {
      checkCancelled(opts.signal);
      let denoised = await model(xPred, sigmas[i]);
      opts.callback?.({ i, x: xPred, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
      preds.push(denoised);
      preds = preds.slice(-maxUsed);
      let pUsed = Math.min(predictorOrder, preds.length);
      let cUsed = i === 0 || (sigmas[i + 1] === 0 && !usePece) ? 0 : Math.min(correctorOrder, preds.length);
      if (lowerOrderToEnd) {
        pUsed = Math.min(pUsed, n - 2 - i);
        cUsed = Math.min(cUsed, n - 1 - i);
      }
      if (cUsed === 0) {
        x = xPred;
      } else {
        const b = stochasticAdamsCoeffs(sigmas[i], lambdas.slice(i - cUsed + 1, i + 1), lambdas[i - 1], lambdas[i], tau, simple2, true);
        x = combine([
          [x, (sigmas[i] / sigmas[i - 1]) * Math.exp(-(tau * tau) * h)],
          [weighted(cUsed, b), 1],
        ]);
        if (tau > 0 && sNoise > 0 && noise)
          x = combine([
            [x, 1],
            [noise, 1],
          ]);
        if (usePece) {
          checkCancelled(opts.signal);
          denoised = await model(x, sigmas[i]);
          preds[preds.length - 1] = denoised;
        }
      }
      if (sigmas[i + 1] === 0) {
        xPred = denoised;
      } else {
        tau = tauFn(sigmas[i + 1]);
        const b = stochasticAdamsCoeffs(sigmas[i + 1], lambdas.slice(i - pUsed + 1, i + 1), lambdas[i], lambdas[i + 1], tau, simple2, false);
        h = lambdas[i + 1] - lambdas[i];
        xPred = combine([
          [x, (sigmas[i + 1] / sigmas[i]) * Math.exp(-(tau * tau) * h)],
          [weighted(pUsed, b), 1],
        ]);
        if (tau > 0 && sNoise > 0) {
          const amp = sigmas[i + 1] * Math.sqrt(-Math.expm1(-2 * tau * tau * h)) * sNoise;
          noise = combine([[requireNoise(opts, name)(sigmas[i], sigmas[i + 1]), amp]]);
          xPred = combine([
            [xPred, 1],
            [noise, 1],
          ]);
        }
      }
    }
    return xPred;
  };
}

export const saSolver = saSolverWith('sa_solver', undefined);
export const saSolverPece = saSolverWith('sa_solver_pece', true);
