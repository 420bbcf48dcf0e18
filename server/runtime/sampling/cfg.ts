/**
 * Classifier-free guidance around a raw diffusion model, as ComfyUI's `sampling_function` + `cfg_function`: the
 * predictions of the conditionings (`calc_cond_batch`, a CondPredictor) combined as out = u + (c − u)·cfg on the
 * denoised values. The predictor is either conds.ts/cond-batch.ts's (ComfyUI's conditioning entries: areas, masks,
 * strengths, timestep ranges) or, for one plain conditioning per side, `modelCondPredictor` here.
 */
import type { ModelSamplingDiscrete } from './model-sampling';
import type { Denoiser } from './samplers/types';

/**
 * The raw network (e.g. the UNet): `xIn` is a batch laid out as `shape` (batch first), already
 * scaled by c_in; returns eps or v (per the model's prediction type) in the same layout.
 * `conds[b]` is the conditioning of batch row b.
 */
export type ModelApply<C> = (xIn: Float32Array, shape: readonly number[], timestep: number, conds: readonly C[]) => Promise<Float32Array>;

/**
 * ComfyUI's `calc_cond_batch`: the denoised prediction of each conditioning list at (x, σ), `active[i]` false =
 * skipped (ComfyUI passes None: the cfg-1 shortcut); a skipped or empty list predicts zeros. Index 0 is the positive
 * (cond), 1 the negative (uncond), as ComfyUI's `[cond, uncond]`.
 */
export type CondPredictor = (x: Float32Array, sigma: number, active: readonly boolean[]) => Promise<Float32Array[]>;

/** One plain conditioning per side, each row of the model batch conditioned on it. */
export interface ModelConds<C> {
  model: ModelApply<C>;
  cond: C;
  uncond: C;
  /** 'quantized' (ComfyUI, default) or 'continuous' (k-diffusion quantize=False). */
  timesteps?: 'quantized' | 'continuous';
}

/** Either a predictor over conditioning lists, or one plain conditioning per side. */
export type CondSource<C> = ModelConds<C> | { predict: CondPredictor };

export interface CfgCommon {
  modelSampling: ModelSamplingDiscrete;
  cfg: number;
  /** Layout of the latent being sampled, batch first: [B, C, H, W]. */
  shape: readonly number[];
  /** ComfyUI skips the uncond pass when cfg is 1 (its default, unless disable_cfg1_optimization). */
  skipUncondAtCfg1?: boolean;
  /**
   * ComfyUI's `sampler_post_cfg_function`: sees the guided result and both predictions (uncond is zeros when its
   * pass was skipped, as in ComfyUI) and returns the denoised value to use. CFG++ samplers read uncond here.
   */
  postCfg?: (a: PostCfgArgs) => Float32Array;
}

export type CfgDenoiserOptions<C> = CfgCommon & CondSource<C>;

export interface PostCfgArgs {
  denoised: Float32Array;
  condDenoised: Float32Array;
  uncondDenoised: Float32Array;
  sigma: number;
  x: Float32Array;
}

/** The predictor of a CondSource. */
export function condPredictor<C>(o: CondSource<C> & { modelSampling: ModelSamplingDiscrete; shape: readonly number[] }): CondPredictor {
  return 'predict' in o ? o.predict : modelCondPredictor(o);
}

/**
 * `calc_cond_batch` for one plain conditioning per side: ONE model call on the batch [uncond…, cond…] (ComfyUI's
 * order), input x·c_in, timestep quantized (or continuous), output turned into denoised values.
 */
export function modelCondPredictor<C>(o: ModelConds<C> & { modelSampling: ModelSamplingDiscrete; shape: readonly number[] }): CondPredictor {
  const batch = o.shape[0];
  return async (x, sigma, active) => {
    const ms = o.modelSampling;
    const runCond = active[0] ?? false;
    const runUncond = active[1] ?? false;
    const n = x.length;
    const copies = (runCond ? 1 : 0) + (runUncond ? 1 : 0);
    if (copies === 0) return [new Float32Array(n), new Float32Array(n)];
    const t = o.timesteps === 'continuous' ? ms.timestepContinuous(sigma) : ms.timestep(sigma);
    const cIn = ms.cIn(sigma);
    const xIn = new Float32Array(n * copies);
    for (let k = 0; k < copies; k++) for (let i = 0; i < n; i++) xIn[k * n + i] = x[i] * cIn;
    const conds: C[] = [];
    if (runUncond) for (let b = 0; b < batch; b++) conds.push(o.uncond);
    if (runCond) for (let b = 0; b < batch; b++) conds.push(o.cond);
    const out = await o.model(xIn, [batch * copies, ...o.shape.slice(1)], t, conds);
    if (out.length !== n * copies) throw new Error(`model returned ${out.length} values, expected ${n * copies}`);
    const xs = copies === 1 ? x : concat(x, x);
    const denoised = ms.calculateDenoised(sigma, out, xs);
    const uncond = runUncond ? denoised.subarray(0, n) : new Float32Array(n);
    const cond = runCond ? denoised.subarray(runUncond ? n : 0, runUncond ? 2 * n : n) : new Float32Array(n);
    return [cond, uncond];
  };
}

/** A k-diffusion Denoiser: ComfyUI's sampling_function (CFG over the conditionings' predictions). */
export function cfgDenoiser<C>(o: CfgDenoiserOptions<C>): Denoiser {
  const skipUncond = (o.skipUncondAtCfg1 ?? true) && Math.abs(o.cfg - 1) <= 1e-9;
  const predict = condPredictor(o);
  return async (x, sigma) => {
    const [cond, uncond] = await predict(x, sigma, [true, !skipUncond]);
    if (skipUncond) return o.postCfg ? o.postCfg({ denoised: cond, condDenoised: cond, uncondDenoised: uncond, sigma, x }) : cond;
    const n = x.length;
    const res = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u = uncond[i];
      res[i] = u + (cond[i] - u) * o.cfg;
    }
    if (o.postCfg) return o.postCfg({ denoised: res, condDenoised: cond, uncondDenoised: uncond, sigma, x });
    return res;
  };
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
