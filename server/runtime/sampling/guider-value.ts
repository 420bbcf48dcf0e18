/**
 * The GUIDER socket's runtime value: ComfyUI's CFGGuider / Guider_Basic / Guider_DualCFG objects as data (the model,
 * its conditionings by name in ComfyUI's dict order, the guidance scales). Sampling turns one into a Denoiser once the
 * latent's shape is known (common-ksampler.ts `sampleGuided`), through the same conditioning path as KSampler.
 */
import { isConditioning, isModelHandle, type CondEntry, type ModelHandle } from '../handles';

export interface GuiderConds {
  /**
   * ComfyUI's prompt_type for the list: its conds key, except DualCFGGuider's middle and PerpNegGuider's
   * empty_negative_prompt, which ComfyUI marks "negative" (the SDXL refiner's aesthetic-score default reads it)
   */
  readonly name: string;
  /** the guider node's input it came from, for messages */
  readonly input: string;
  readonly entries: readonly CondEntry[];
}

export type GuiderValue =
  /** CFGGuider: conds positive, negative */
  | { readonly kind: 'guider'; readonly style: 'cfg'; readonly model: ModelHandle; readonly conds: readonly GuiderConds[]; readonly cfg: number }
  /** BasicGuider: conds positive (its input `conditioning`) only (cfg 1, no uncond pass) */
  | { readonly kind: 'guider'; readonly style: 'basic'; readonly model: ModelHandle; readonly conds: readonly GuiderConds[] }
  /** DualCFGGuider: conds cond1 (ComfyUI's positive), cond2 (its middle), negative */
  | {
      readonly kind: 'guider';
      readonly style: 'dual';
      readonly model: ModelHandle;
      readonly conds: readonly GuiderConds[];
      readonly cfgConds: number;
      readonly cfgCond2Negative: number;
      readonly nested: boolean;
    }
  /** PerpNegGuider: conds positive, empty_conditioning (its empty_negative_prompt), negative (ComfyUI's dict order) */
  | {
      readonly kind: 'guider';
      readonly style: 'perpneg';
      readonly model: ModelHandle;
      readonly conds: readonly GuiderConds[];
      readonly cfg: number;
      readonly negScale: number;
    };

const STYLES: Readonly<Record<GuiderValue['style'], number>> = { cfg: 2, basic: 1, dual: 3, perpneg: 3 };

export const isGuider = (v: unknown): v is GuiderValue => {
  if (typeof v !== 'object' || v === null) return false;
  const g = v as Partial<GuiderValue> & { conds?: unknown };
  if (g.kind !== 'guider' || typeof g.style !== 'string' || !Object.hasOwn(STYLES, g.style) || !isModelHandle(g.model)) return false;
  return Array.isArray(g.conds) && g.conds.length === STYLES[g.style] && g.conds.every((c: GuiderConds) => Array.isArray(c?.entries));
};

/** CFGGuider(model, positive, negative, cfg). */
export function cfgGuiderValue(model: ModelHandle, positive: unknown, negative: unknown, cfg: number): GuiderValue {
  return { kind: 'guider', style: 'cfg', model, conds: [named('positive', 'positive', positive), named('negative', 'negative', negative)], cfg };
}

/** BasicGuider(model, conditioning). */
export function basicGuiderValue(model: ModelHandle, conditioning: unknown): GuiderValue {
  return { kind: 'guider', style: 'basic', model, conds: [named('positive', 'conditioning', conditioning)] };
}

/** DualCFGGuider(model, cond1, cond2, negative, cfg_conds, cfg_cond2_negative, style). */
export function dualCfgGuiderValue(
  model: ModelHandle,
  c: { cond1: unknown; cond2: unknown; negative: unknown },
  cfgConds: number,
  cfgCond2Negative: number,
  nested: boolean,
): GuiderValue {
  return {
    kind: 'guider',
    style: 'dual',
    model,
    conds: [named('positive', 'cond1', c.cond1), named('negative', 'cond2', c.cond2), named('negative', 'negative', c.negative)],
    cfgConds,
    cfgCond2Negative,
    nested,
  };
}

/** PerpNegGuider(model, positive, negative, empty_conditioning, cfg, neg_scale). */
export function perpNegGuiderValue(
  model: ModelHandle,
  c: { positive: unknown; negative: unknown; empty_conditioning: unknown },
  cfg: number,
  negScale: number,
): GuiderValue {
  return {
    kind: 'guider',
    style: 'perpneg',
    model,
    conds: [
      named('positive', 'positive', c.positive),
      named('negative', 'empty_conditioning', c.empty_conditioning),
      named('negative', 'negative', c.negative),
    ],
    cfg,
    negScale,
  };
}

function named(name: string, input: string, c: unknown): GuiderConds {
  if (!isConditioning(c)) throw new Error(`${input}: expected a CONDITIONING`);
  return { name, input, entries: c.entries };
}
