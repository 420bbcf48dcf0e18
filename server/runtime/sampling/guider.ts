/**
 * GUIDERs as the custom-sampling nodes need them (ComfyUI's CFGGuider / BasicGuider): a Denoiser whose
 * `withUncond` also answers the unconditional prediction for CFG++ samplers. Built on `cfgDenoiser` and its
 * post-CFG hook, the way ComfyUI's CFG++ samplers hook `sampler_post_cfg_function`.
 */
import { cfgDenoiser, type CfgCommon, type CfgDenoiserOptions, type CondPredictor, type ModelApply, type PostCfgArgs } from './cfg';
import { guidedDenoiser, type Denoiser, type GuidedPrediction } from './samplers/types';

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

/** BasicGuider's options: the positive alone, as one plain conditioning or through a CondPredictor (list 0). */
export type BasicGuiderOptions<C> = Omit<CfgCommon, 'cfg' | 'skipUncondAtCfg1'> &
  ({ model: ModelApply<C>; cond: C; timesteps?: 'quantized' | 'continuous' } | { predict: CondPredictor });

/** BasicGuider: the positive conditioning alone (cfg 1, no uncond pass); its uncond prediction is zeros, as in ComfyUI. */
export function basicGuider<C>(o: BasicGuiderOptions<C>): Denoiser {
  const base: CfgDenoiserOptions<C> =
    'predict' in o ? { ...o, cfg: 1, skipUncondAtCfg1: true } : { ...o, uncond: o.cond, cfg: 1, skipUncondAtCfg1: true };
  let captured: Float32Array | null = null;
  const capturing = cfgDenoiser({
    ...base,
    postCfg: (a) => {
      captured = a.uncondDenoised;
      return o.postCfg ? o.postCfg(a) : a.denoised;
    },
  });
  return guidedDenoiser(cfgDenoiser(base), async (x, sigma) => {
    const denoised = await capturing(x, sigma);
    const uncondDenoised = captured ?? new Float32Array(x.length);
    captured = null;
    return { denoised, uncondDenoised };
  });
}

export interface DualCfgArgs {
  /** Denoised predictions of the three conditionings (ComfyUI: negative, cond2 as "middle", cond1 as positive). */
  negative: Float32Array;
  middle: Float32Array;
  positive: Float32Array;
  /** cfg_conds (between cond1 and cond2) and cfg_cond2_negative (between cond2 and negative). */
  cfgConds: number;
  cfgCond2Negative: number;
  nested: boolean;
}

/**
 * DualCFGGuider's guidance (ComfyUI Guider_DualCFG.predict_noise). regular: neg + (mid − neg)·cfg2 + (pos − mid)·cfg1;
 * nested: neg + cfg2·(mid + (pos − mid)·cfg1 − neg). In ComfyUI's regular style a post-CFG hook sees the
 * (mid, neg) pair, before the (pos − mid)·cfg1 term is added.
 */
export function dualCfg(a: DualCfgArgs): Float32Array {
  const { negative: n, middle: m, positive: p, cfgConds: c1, cfgCond2Negative: c2 } = a;
  if (m.length !== n.length || p.length !== n.length) throw new Error(`dualCfg: predictions of ${n.length}, ${m.length} and ${p.length} values`);
  return Float32Array.from(n, (nv, i) => (a.nested ? nv + c2 * (m[i] + (p[i] - m[i]) * c1 - nv) : nv + (m[i] - nv) * c2 + (p[i] - m[i]) * c1));
}

/** Which passes ComfyUI's regular-style DualCFG skips (cfg-1 shortcut): none when nested. */
export function dualCfgSkips(cfgConds: number, cfgCond2Negative: number, nested: boolean): { negative: boolean; middle: boolean } {
  if (nested) return { negative: false, middle: false };
  const one = (v: number) => Math.abs(v - 1) <= 1e-9;
  const negative = one(cfgCond2Negative);
  return { negative, middle: negative && one(cfgConds) };
}

export interface DualCfgGuiderOptions {
  /** predictions of the lists [negative, middle (cond2), positive (cond1)], as ComfyUI's calc_cond_batch call */
  predict: CondPredictor;
  cfgConds: number;
  cfgCond2Negative: number;
  nested: boolean;
  /** the model's sampler_cfg_function (RescaleCFG), applied inside each cfg_function as ComfyUI does */
  postCfg?: (a: PostCfgArgs) => Float32Array;
}

const f = Math.fround;

/**
 * DualCFGGuider (ComfyUI Guider_DualCFG.predict_noise) as a Denoiser: regular = cfg_function(middle, negative, cfg2)
 * + (positive − middle)·cfg1 with the cfg-1 shortcuts; nested = neg + cfg2·(cfg_function(positive, middle, cfg1) − neg).
 * `withUncond` reports the uncond of the last cfg_function (negative, or middle when nested), as a CFG++ hook sees it.
 */
export function dualCfgGuider(o: DualCfgGuiderOptions): Denoiser {
  const cfgFunction = (cond: Float32Array, uncond: Float32Array, cfg: number, sigma: number, x: Float32Array) => {
    const denoised = Float32Array.from(cond, (c, i) => f(uncond[i] + f(f(c - uncond[i]) * cfg)));
    return o.postCfg ? o.postCfg({ denoised, condDenoised: cond, uncondDenoised: uncond, sigma, x }) : denoised;
  };
  const run = async (x: Float32Array, sigma: number, shortcuts: boolean): Promise<GuidedPrediction> => {
    const skip = shortcuts ? dualCfgSkips(o.cfgConds, o.cfgCond2Negative, o.nested) : { negative: false, middle: false };
    const [neg, mid, pos] = await o.predict(x, sigma, [!skip.negative, !skip.middle, true]);
    if (o.nested) {
      const text = cfgFunction(pos, mid, o.cfgConds, sigma, x);
      return { denoised: Float32Array.from(neg, (n, i) => f(n + f(o.cfgCond2Negative * f(text[i] - n)))), uncondDenoised: mid };
    }
    const base = cfgFunction(mid, neg, o.cfgCond2Negative, sigma, x);
    return { denoised: Float32Array.from(base, (b, i) => f(b + f(f(pos[i] - mid[i]) * o.cfgConds))), uncondDenoised: neg };
  };
  return guidedDenoiser(
    async (x, sigma) => (await run(x, sigma, true)).denoised,
    (x, sigma) => run(x, sigma, false),
  );
}

export interface PerpNegGuiderOptions {
  /** predictions of the lists [positive, negative, empty], as ComfyUI's calc_cond_batch call */
  predict: CondPredictor;
  cfg: number;
  negScale: number;
}

/**
 * PerpNegGuider (ComfyUI Guider_PerpNeg.predict_noise): with p = pos − empty, n = neg − empty, the negative's part
 * perpendicular to p (over the whole batch, as torch's sum / norm) scaled by neg_scale is taken from p:
 * empty + cfg·(p − (n − (n·p / |p|²)·p)·neg_scale). ComfyUI skips cfg_function here, so the model's
 * sampler_cfg_function (RescaleCFG) does not apply; a CFG++ sampler reads the negative's prediction.
 */
export function perpNegGuider(o: PerpNegGuiderOptions): Denoiser {
  const run = async (x: Float32Array, sigma: number, shortcuts: boolean): Promise<GuidedPrediction> => {
    // math.isclose(neg_scale, 0.0) holds only for 0 itself
    const skipNeg = shortcuts && o.negScale === 0;
    const skipEmpty = skipNeg && Math.abs(o.cfg - 1) <= 1e-9;
    const [pos, neg, empty] = await o.predict(x, sigma, [true, !skipNeg, !skipEmpty]);
    const p = Float32Array.from(pos, (v, i) => v - empty[i]);
    const n = Float32Array.from(neg, (v, i) => v - empty[i]);
    let dot = 0;
    let norm2 = 0;
    for (let i = 0; i < p.length; i++) {
      dot += n[i] * p[i];
      norm2 += p[i] * p[i];
    }
    const k = f(f(dot) / f(norm2));
    const denoised = Float32Array.from(p, (pv, i) => f(empty[i] + f(o.cfg * f(pv - f(f(n[i] - f(k * pv)) * o.negScale)))));
    return { denoised, uncondDenoised: neg };
  };
  return guidedDenoiser(
    async (x, sigma) => (await run(x, sigma, true)).denoised,
    (x, sigma) => run(x, sigma, false),
  );
}
