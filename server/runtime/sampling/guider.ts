/**
 * GUIDERs as the custom-sampling nodes need them (ComfyUI's CFGGuider / BasicGuider): a Denoiser whose
 * `withUncond` also answers the unconditional prediction for CFG++ samplers. Built on `cfgDenoiser` and its
 * post-CFG hook, the way ComfyUI's CFG++ samplers hook `sampler_post_cfg_function`.
 */
import { cfgDenoiser, type CfgDenoiserOptions } from './cfg';
import { guidedDenoiser, type Denoiser } from './samplers/types';

/**
 * CFGGuider: `u + (c − u)·cfg`; plain calls keep ComfyUI's cfg-1 shortcut, `withUncond` turns it off (as a CFG++
 * sampler's `disable_cfg1_optimization` does) and reports the uncond prediction after any postCfg hook ran.
 */
export function cfgGuider<C>(o: CfgDenoiserOptions<C>): Denoiser {
  let captured: Float32Array | null = null;
  const capturing = cfgDenoiser({
    ...o,
    skipUncondAtCfg1: false,
    postCfg: (a) => {
      const d = o.postCfg ? o.postCfg(a) : a.denoised;
      captured = a.uncondDenoised;
      return d;
    },
  });
  return guidedDenoiser(cfgDenoiser(o), async (x, sigma) => {
    const denoised = await capturing(x, sigma);
    if (!captured) throw new Error('cfgGuider: the post-CFG hook did not run');
    const uncondDenoised = captured;
    captured = null;
    return { denoised, uncondDenoised };
  });
}

/** BasicGuider: the positive conditioning alone (cfg 1, no uncond pass); its uncond prediction is zeros, as in ComfyUI. */
export function basicGuider<C>(o: Omit<CfgDenoiserOptions<C>, 'uncond' | 'cfg' | 'skipUncondAtCfg1'>): Denoiser {
  const base = { ...o, uncond: o.cond, cfg: 1, skipUncondAtCfg1: true };
  let captured: Float32Array | null = null;
  const capturing = cfgDenoiser({ ...base, postCfg: (a) => { captured = a.uncondDenoised; return o.postCfg ? o.postCfg(a) : a.denoised; } });
  return guidedDenoiser(cfgDenoiser(base), async (x, sigma) => {
    const denoised = await capturing(x, sigma);
    const uncondDenoised = captured ?? new Float32Array(x.length);
    captured = null;
    return { denoised, uncondDenoised };
  });
}
