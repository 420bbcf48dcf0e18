/**
 * ControlNetApply / ControlNetApplyAdvanced (nodes.py) on CONDITIONING entries: each entry gets a copy of the ControlNet
 * with its hint, strength and timestep range (ComfyUI's `control_net.copy().set_cond_hint(...)`), chained to the
 * ControlNet the entry already carried (`previous_controlnet`). The sampler runs them (controlnet/residuals.ts).
 */
import type { CondEntry, Conditioning, ControlNetHandle } from '../handles';
import type { ImageValue } from '../values';

/** One applied ControlNet: ComfyUI's ControlNet object after set_cond_hint (+ set_previous_controlnet). */
export interface AppliedControlNet {
  readonly kind: 'control_net_applied';
  readonly net: ControlNetHandle;
  /** the hint image as given, [B, H, W, C] in [0, 1]; resized to the latent × 8 when sampling */
  readonly hint: ImageValue;
  readonly strength: number;
  readonly startPercent: number;
  readonly endPercent: number;
  readonly previous?: AppliedControlNet;
  /** "ControlNetApplyAdvanced #12", for errors */
  readonly origin: string;
}

export const isAppliedControlNet = (v: unknown): v is AppliedControlNet =>
  typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'control_net_applied';

/** The ControlNet an entry already carries (previous_controlnet); anything else there is refused by name. */
function previousOf(e: CondEntry, origin: string): AppliedControlNet | undefined {
  if (e.control === undefined) return undefined;
  if (!isAppliedControlNet(e.control)) throw new Error(`${origin}: the conditioning carries a control of another kind, which cannot be chained`);
  return e.control;
}

function checkHint(hint: ImageValue, net: ControlNetHandle, origin: string): void {
  const s = hint.shape;
  if (s.length !== 4 || s.some((d) => !Number.isInteger(d) || d < 1))
    throw new Error(`${origin}: input "image" has shape [${s.join(', ')}], expected [batch, height, width, channels]`);
  // a one-channel T2I-Adapter averages whatever channels the hint has (T2IAdapter.get_control)
  if (net.t2iAdapter?.inputChannels === 1) return;
  if (s[3] !== net.hintChannels) {
    throw new Error(`${origin}: input "image" has ${s[3]} channels, the ControlNet ${net.name} takes ${net.hintChannels}`);
  }
}

/** ControlNetApply: every entry gets its own copy; the negative receives it too when sampling (control_apply_to_uncond). */
export function controlNetApply(c: Conditioning, net: ControlNetHandle, hint: ImageValue, strength: number, origin: string): Conditioning {
  if (strength === 0) return c;
  checkHint(hint, net, origin);
  return {
    kind: 'conditioning',
    entries: c.entries.map((e) => ({
      ...e,
      control: {
        kind: 'control_net_applied',
        net,
        hint,
        strength,
        startPercent: 0,
        endPercent: 1,
        origin,
        ...withPrevious(previousOf(e, origin)),
      } satisfies AppliedControlNet,
      controlApplyToUncond: true,
    })),
  };
}

/**
 * ControlNetApplyAdvanced: positive and negative entries that carried the same previous ControlNet (or none) share one
 * copy, so they still batch together in one model call, as ComfyUI's `cnets` dict does.
 */
export function controlNetApplyAdvanced(
  positive: Conditioning,
  negative: Conditioning,
  net: ControlNetHandle,
  hint: ImageValue,
  o: { strength: number; startPercent: number; endPercent: number; origin: string },
): [Conditioning, Conditioning] {
  if (o.strength === 0) return [positive, negative];
  checkHint(hint, net, o.origin);
  const copies = new Map<AppliedControlNet | undefined, AppliedControlNet>();
  const apply = (c: Conditioning): Conditioning => ({
    kind: 'conditioning',
    entries: c.entries.map((e) => {
      const prev = previousOf(e, o.origin);
      let copy = copies.get(prev);
      if (!copy) {
        copy = {
          kind: 'control_net_applied',
          net,
          hint,
          strength: o.strength,
          startPercent: o.startPercent,
          endPercent: o.endPercent,
          origin: o.origin,
          ...withPrevious(prev),
        };
        copies.set(prev, copy);
      }
      return { ...e, control: copy, controlApplyToUncond: false };
    }),
  });
  return [apply(positive), apply(negative)];
}

const withPrevious = (p: AppliedControlNet | undefined) => (p ? { previous: p } : {});

/**
 * ComfyUI's apply_empty_x_to_equal_area for 'control': ControlNets of positive entries applied with ControlNetApply
 * (no area) go to the negative entries without area and control, unless one of those already has a control.
 */
export function controlToUncond(positive: readonly CondEntry[], negative: readonly CondEntry[]): CondEntry[] {
  const hasArea = (e: CondEntry) => e.area !== undefined || (e.mask !== undefined && e.setAreaToBounds === true);
  const condNets = positive.filter((e) => e.controlApplyToUncond === true && !hasArea(e) && e.control !== undefined).map((e) => e.control);
  const out = [...negative];
  if (condNets.length === 0) return out;
  if (negative.some((e) => !hasArea(e) && e.control !== undefined)) return out;
  const others = negative.flatMap((e, i) => (hasArea(e) ? [] : [i]));
  if (others.length === 0)
    throw new Error(
      'negative: every entry has an area, so the positive ControlNet has no full-frame negative entry to go to (ComfyUI fails here too)',
    );
  condNets.forEach((control, x) => {
    const i = others[x % others.length];
    out[i] = { ...negative[i], control };
  });
  return out;
}
