/**
 * CFG++ samplers (Chung et al. 2024, "CFG++: manifold-constrained classifier free guidance"), after ComfyUI's
 * `sample_*_cfg_pp`: the step is taken along the unconditional prediction's noise direction, the guided
 * prediction only sets where it lands. They run on `Denoiser.withUncond` (ComfyUI's post-CFG hook with the
 * cfg-1 shortcut off). Written for ε/v models (α = 1, λ = −log σ), as every SD1/SD2/SDXL model is.
 */
import { ancestralStep, combine, lin, sigmaFromT, tFromSigma } from './ops';
import { checkCancelled, requireNoise, requireUncond, type GuidedPrediction, type Sampler } from './types';

/** Euler step to σ_down along the unconditional direction, then ancestral noise σ_up; euler_cfg_pp is eta 0. */
function eulerAncestralCfgPpWith(name: string, ancestral: boolean): Sampler {
  return async (model, x, sigmas, opts) => {
    const predict = requireUncond(model, name);
    const eta = ancestral ? (opts.eta ?? 1) : 0;
    const sNoise = ancestral ? (opts.sNoise ?? 1) : 0;
    for (let i = 0; i < sigmas.length - 1; i++) {
      checkCancelled(opts.signal);
      const { denoised, uncondDenoised } = await predict(x, sigmas[i]);
      opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
      if (sigmas[i + 1] === 0) {
        x = denoised;
        continue;
      }
      const { sigmaDown, sigmaUp } = ancestralStep(sigmas[i], sigmas[i + 1], eta);
      // denoised + σ_down·(x − uncond)/σ
      x = combine([
        [denoised, 1],
        [x, sigmaDown / sigmas[i]],
        [uncondDenoised, -sigmaDown / sigmas[i]],
      ]);
      if (eta > 0 && sNoise > 0)
        x = combine([
          [x, 1],
          [requireNoise(opts, name)(sigmas[i], sigmas[i + 1]), sNoise * sigmaUp],
        ]);
    }
    return x;
  };
}

export const eulerCfgPp: Sampler = eulerAncestralCfgPpWith('euler_cfg_pp', false);
export const eulerAncestralCfgPp: Sampler = eulerAncestralCfgPpWith('euler_ancestral_cfg_pp', true);

export const dpmpp2sAncestralCfgPp: Sampler = async (model, x, sigmas, opts) => {
  const predict = requireUncond(model, 'dpmpp_2s_ancestral_cfg_pp');
  const eta = opts.eta ?? 1;
  const sNoise = opts.sNoise ?? 1;
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const { denoised, uncondDenoised } = await predict(x, sigmas[i]);
    const { sigmaDown, sigmaUp } = ancestralStep(sigmas[i], sigmas[i + 1], eta);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
    if (sigmaDown === 0) {
      x = combine([
        [denoised, 1],
        [x, sigmaDown / sigmas[i]],
        [uncondDenoised, -sigmaDown / sigmas[i]],
      ]);
    } else {
      const t = tFromSigma(sigmas[i]);
      const tNext = tFromSigma(sigmaDown);
      const h = tNext - t;
      const s = t + 0.5 * h;
      // x + (denoised − uncond): the guidance moved onto the state, as ComfyUI writes it.
      const shifted = combine([
        [x, 1],
        [denoised, 1],
        [uncondDenoised, -1],
      ]);
      const x2 = lin(shifted, sigmaFromT(s) / sigmaFromT(t), denoised, -Math.expm1(-0.5 * h));
      const p2 = await predict(x2, sigmaFromT(s));
      // ComfyUI reads its post-CFG capture again here, which the midpoint call has just overwritten: x + (denoised − uncond₂).
      const shifted2 = combine([
        [x, 1],
        [denoised, 1],
        [p2.uncondDenoised, -1],
      ]);
      x = lin(shifted2, sigmaFromT(tNext) / sigmaFromT(t), p2.denoised, -Math.expm1(-h));
    }
    if (sigmas[i + 1] > 0)
      x = combine([
        [x, 1],
        [requireNoise(opts, 'dpmpp_2s_ancestral_cfg_pp')(sigmas[i], sigmas[i + 1]), sNoise * sigmaUp],
      ]);
  }
  return x;
};

export const dpmpp2mCfgPp: Sampler = async (model, x, sigmas, opts) => {
  const predict = requireUncond(model, 'dpmpp_2m_cfg_pp');
  let oldUncond: Float32Array | null = null;
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const { denoised, uncondDenoised }: GuidedPrediction = await predict(x, sigmas[i]);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
    const t = tFromSigma(sigmas[i]);
    const h = tFromSigma(sigmas[i + 1]) - t;
    const decay = Math.exp(-h); // 0 on the final step to σ = 0
    if (oldUncond === null || sigmas[i + 1] === 0) {
      x = combine([
        [denoised, 1],
        [uncondDenoised, -decay],
        [x, decay],
      ]);
    } else {
      const r = (t - tFromSigma(sigmas[i - 1])) / h;
      const k = -Math.expm1(-h) / (2 * r);
      x = combine([
        [denoised, 1 + k],
        [uncondDenoised, -decay],
        [oldUncond, -k],
        [x, decay],
      ]);
    }
    oldUncond = uncondDenoised;
  }
  return x;
};
