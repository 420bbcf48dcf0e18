/**
 * Classifier-free guidance around a raw diffusion model, as ComfyUI's `CFGGuider` + `BaseModel.apply_model`:
 * x_in = x·c_in, t = timestep(σ) (quantized by default), model output → denoised via the
 * parameterisation, and out = u + (c − u)·cfg on the denoised values.
 */
import type { ModelSamplingDiscrete } from './model-sampling';
import type { Denoiser } from './samplers/types';

/**
 * The raw network (e.g. the UNet): `xIn` is a batch laid out as `shape` (batch first), already
 * scaled by c_in; returns eps or v (per the model's prediction type) in the same layout.
 * `conds[b]` is the conditioning of batch row b.
 */
export type ModelApply<C> = (xIn: Float32Array, shape: readonly number[], timestep: number, conds: readonly C[]) => Promise<Float32Array>;

export interface CfgDenoiserOptions<C> {
  modelSampling: ModelSamplingDiscrete;
  model: ModelApply<C>;
  cond: C;
  uncond: C;
  cfg: number;
  /** Layout of the latent being sampled, batch first: [B, C, H, W]. */
  shape: readonly number[];
  /** 'quantized' (ComfyUI, default) or 'continuous' (k-diffusion quantize=False). */
  timesteps?: 'quantized' | 'continuous';
  /** ComfyUI skips the uncond pass when cfg is 1 (its default, unless disable_cfg1_optimization). */
  skipUncondAtCfg1?: boolean;
  /**
   * ComfyUI's `sampler_post_cfg_function`: sees the guided result and both predictions (uncond is zeros when its
   * pass was skipped, as in ComfyUI) and returns the denoised value to use. CFG++ samplers read uncond here.
   */
  postCfg?: (a: PostCfgArgs) => Float32Array;
}

export interface PostCfgArgs {
  denoised: Float32Array;
  condDenoised: Float32Array;
  uncondDenoised: Float32Array;
  sigma: number;
  x: Float32Array;
}

/** A k-diffusion Denoiser that runs [uncond, cond] as ONE model call of batch 2B. */
export function cfgDenoiser<C>(o: CfgDenoiserOptions<C>): Denoiser {
  const batch = o.shape[0];
  const skipUncond = (o.skipUncondAtCfg1 ?? true) && Math.abs(o.cfg - 1) <= 1e-9;
  return async (x, sigma) => {
    const ms = o.modelSampling;
    const t = o.timesteps === 'continuous' ? ms.timestepContinuous(sigma) : ms.timestep(sigma);
    const cIn = ms.cIn(sigma);
    const n = x.length;
    const copies = skipUncond ? 1 : 2;
    const xIn = new Float32Array(n * copies);
    for (let k = 0; k < copies; k++) for (let i = 0; i < n; i++) xIn[k * n + i] = x[i] * cIn;
    const conds: C[] = [];
    if (!skipUncond) for (let b = 0; b < batch; b++) conds.push(o.uncond);
    for (let b = 0; b < batch; b++) conds.push(o.cond);
    const out = await o.model(xIn, [batch * copies, ...o.shape.slice(1)], t, conds);
    if (out.length !== n * copies) throw new Error(`model returned ${out.length} values, expected ${n * copies}`);
    const xTwice = copies === 1 ? x : concat(x, x);
    const denoised = ms.calculateDenoised(sigma, out, xTwice);
    if (skipUncond) return o.postCfg ? o.postCfg({ denoised, condDenoised: denoised, uncondDenoised: new Float32Array(n), sigma, x }) : denoised;
    const res = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u = denoised[i];
      res[i] = u + (denoised[n + i] - u) * o.cfg;
    }
    if (o.postCfg) return o.postCfg({ denoised: res, condDenoised: denoised.subarray(n), uncondDenoised: denoised.subarray(0, n), sigma, x });
    return res;
  };
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
