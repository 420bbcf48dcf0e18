/**
 * RES multistep (Zhang et al. 2023, arXiv 2308.02157, second-order exponential multistep) and gradient
 * estimation (Permenter & Yuan, "Interpreting and improving diffusion models from an optimization
 * perspective"), after ComfyUI's `res_multistep` / `sample_gradient_estimation`, each with its CFG++ form.
 */
import { ancestralStep, axpy, combine, tFromSigma, toD } from './ops';
import { checkCancelled, requireNoise, requireUncond, type Denoiser, type Sampler } from './types';

interface Prediction {
  denoised: Float32Array;
  uncond: Float32Array;
}

/** One evaluation; CFG++ forms also read the unconditional prediction (else it is the guided one). */
function evaluator(model: Denoiser, cfgPp: boolean, name: string): (x: Float32Array, sigma: number) => Promise<Prediction> {
  if (!cfgPp)
    return async (x, sigma) => {
      const d = await model(x, sigma);
      return { denoised: d, uncond: d };
    };
  const predict = requireUncond(model, name);
  return async (x, sigma) => {
    const p = await predict(x, sigma);
    return { denoised: p.denoised, uncond: p.uncondDenoised };
  };
}

/** torch.nan_to_num(v, nan=0): NaN → 0, ±∞ → ±float32 max. */
const nanToNum = (v: number): number => (Number.isNaN(v) ? 0 : v === Infinity ? 3.4028234663852886e38 : v === -Infinity ? -3.4028234663852886e38 : v);

function resMultistepWith(name: string, ancestral: boolean, cfgPp: boolean): Sampler {
  return async (model, x, sigmas, opts) => {
    const evaluate = evaluator(model, cfgPp, name);
    const eta = ancestral ? (opts.eta ?? 1) : 0;
    const sNoise = opts.sNoise ?? 1;
    let oldDenoised: Float32Array | null = null;
    let oldSigmaDown = 0;
    for (let i = 0; i < sigmas.length - 1; i++) {
      checkCancelled(opts.signal);
      const { denoised, uncond } = await evaluate(x, sigmas[i]);
      const { sigmaDown, sigmaUp } = ancestralStep(sigmas[i], sigmas[i + 1], eta);
      opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
      if (sigmaDown === 0 || oldDenoised === null) {
        x = cfgPp
          ? combine([
              [denoised, 1],
              [x, sigmaDown / sigmas[i]],
              [uncond, -sigmaDown / sigmas[i]],
            ])
          : axpy(x, toD(x, sigmas[i], denoised), sigmaDown - sigmas[i]);
      } else {
        const t = tFromSigma(sigmas[i]);
        const h = tFromSigma(sigmaDown) - t;
        const c2 = (tFromSigma(sigmas[i - 1]) - tFromSigma(oldSigmaDown)) / h;
        const phi1 = Math.expm1(-h) / -h;
        const phi2 = (phi1 - 1) / -h;
        const b1 = nanToNum(phi1 - phi2 / c2);
        const b2 = nanToNum(phi2 / c2);
        const base = cfgPp
          ? combine([
              [x, 1],
              [denoised, 1],
              [uncond, -1],
            ])
          : x;
        x = combine([
          [base, Math.exp(-h)],
          [cfgPp ? uncond : denoised, h * b1],
          [oldDenoised, h * b2],
        ]);
      }
      // ComfyUI draws here on every step to σ > 0; with eta or s_noise 0 every draw is scaled by 0.
      if (sigmas[i + 1] > 0 && eta > 0 && sNoise > 0) x = axpy(x, requireNoise(opts, name)(sigmas[i], sigmas[i + 1]), sNoise * sigmaUp);
      oldDenoised = cfgPp ? uncond : denoised;
      oldSigmaDown = sigmaDown;
    }
    return x;
  };
}

export const resMultistep = resMultistepWith('res_multistep', false, false);
export const resMultistepCfgPp = resMultistepWith('res_multistep_cfg_pp', false, true);
export const resMultistepAncestral = resMultistepWith('res_multistep_ancestral', true, false);
export const resMultistepAncestralCfgPp = resMultistepWith('res_multistep_ancestral_cfg_pp', true, true);

function gradientEstimationWith(name: string, cfgPp: boolean): Sampler {
  return async (model, x, sigmas, opts) => {
    const evaluate = evaluator(model, cfgPp, name);
    const gamma = opts.geGamma ?? 2;
    let oldD: Float32Array | null = null;
    for (let i = 0; i < sigmas.length - 1; i++) {
      checkCancelled(opts.signal);
      const { denoised, uncond } = await evaluate(x, sigmas[i]);
      const d = toD(x, sigmas[i], cfgPp ? uncond : denoised);
      opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
      const dt = sigmas[i + 1] - sigmas[i];
      if (sigmas[i + 1] === 0) {
        x = denoised;
      } else {
        x = cfgPp ? axpy(denoised, d, sigmas[i + 1]) : axpy(x, d, dt);
        // the step's gradient extrapolated from the previous one: + (γ − 1)(d − d_prev)·dt
        if (oldD !== null)
          x = combine([
            [x, 1],
            [d, (gamma - 1) * dt],
            [oldD, -(gamma - 1) * dt],
          ]);
      }
      oldD = d;
    }
    return x;
  };
}

export const gradientEstimation = gradientEstimationWith('gradient_estimation', false);
export const gradientEstimationCfgPp = gradientEstimationWith('gradient_estimation_cfg_pp', true);
