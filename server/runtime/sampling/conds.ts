/**
 * ComfyUI's `process_conds` (comfy/samplers.py) on our CONDITIONING entries, once before the sampling loop:
 * percentage areas resolved on the latent, masks resized to it (bilinear) and "mask bounds" areas found,
 * start/end percents turned into sigmas (`percent_to_sigma`), each entry's model conds built (cross-attention, SDXL y),
 * and every area given an opposite entry of the same area on the other side (`create_cond_with_same_area_if_none`).
 */
import type { CondEntry, GligenHandle } from '../handles';
import { bilinearPlanes, roundHalfEven } from '../image/torch-bilinear';
import type { ControlResiduals, F32Tensor, GligenFeeds } from '../models';

/** What the network is fed for an entry (ComfyUI's model_conds): cross-attention, the ADM `y`, inpainting's c_concat. */
export interface ModelConds {
  /** [Bc, tokens, dim] */
  readonly cross: F32Tensor;
  /** [By, adm] (SDXL sizes, unCLIP image embeddings) */
  readonly y?: F32Tensor;
  /**
   * c_concat (ComfyUI's CONDNoiseShape) on the whole latent, [B, Cx, H, W]: inpainting models' mask + masked latent.
   * cond-batch.ts crops it to each pass's area and hands it to the model as UNetExtraInputs.concat.
   */
  readonly concat?: F32Tensor;
}

/** [height, width, y, x] in latent units. */
export type LatentArea = readonly [number, number, number, number];

/**
 * THE HOOK for conditioning extras (ControlNet `control`, GLIGEN `gligen`; inpainting's c_concat is a model cond,
 * ModelConds.concat): ComfyUI's get_area_and_mult / can_concat_cond / `control.get_control` path in comfy/samplers.py.
 * The sampler's owner passes `PrepareCondsOptions.extras`; it maps an entry to a CondExtras once before sampling
 * (undefined: the entry has none). Per model call, cond-batch.ts asks the batch's extras for that call's inputs.
 */
export interface CondExtras {
  /**
   * Passes batch into one model call only when their keys are identical (ComfyUI compares control objects and
   * patches): use the ControlNet/GLIGEN object itself.
   */
  readonly key: unknown;
  /**
   * The extra UNet inputs for one model call: `x` is the batched crop before c_in ([rows, C, h, w], rows = passes ×
   * latent batch), `areas[i]` pass i's crop (equal sizes, positions may differ), `lists[i]` which list (0 positive, 1 negative) pass i came from (ComfyUI's
   * cond_or_uncond), `timestep` the model timestep of σ.
   */
  stepInputs(call: ExtrasCall): Promise<UNetExtraInputs> | UNetExtraInputs;
}

export interface ExtrasCall {
  readonly x: Float32Array;
  readonly shape: readonly number[];
  readonly sigma: number;
  readonly timestep: number;
  readonly areas: readonly LatentArea[];
  readonly lists: readonly number[];
  /** the call's batched cross-attention [rows, T, D] and SDXL y [rows, adm] (a ControlNet sees what the UNet sees) */
  readonly context: F32Tensor;
  readonly y?: F32Tensor;
}

/** What extras add to one UNet call. The UNet runner must consume every field it is given (or refuse). */
export interface UNetExtraInputs {
  /** channels appended to x·c_in along C (c_concat: inpainting models), [rows, Cx, h, w] */
  readonly concat?: F32Tensor;
  /** ControlNet residuals by UNet block ('input' / 'middle' / 'output' lists, ComfyUI's control dict) */
  readonly control?: ControlResiduals;
  /** GLIGEN's model (which UNet graph) and its PositionNet inputs per row, for the gated self-attention patch */
  readonly gligen?: { readonly model: GligenHandle; readonly feeds: GligenFeeds };
}

/** An entry ready for the sampling loop. */
export interface SamplingCond {
  /** "positive", "positive entry 2 (ConditioningSetArea #5)", … for errors */
  readonly label: string;
  readonly area?: LatentArea;
  readonly strength: number;
  /** resized to the latent: `planes` masks of H×W */
  readonly mask?: { readonly data: Float32Array; readonly planes: number };
  readonly maskStrength: number;
  /** the entry applies while σ ≤ sigmaStart and σ ≥ sigmaEnd */
  readonly sigmaStart?: number;
  readonly sigmaEnd?: number;
  readonly model: ModelConds;
  /** the entry's extras (the hook above), when it has any */
  readonly extras?: CondExtras;
}

export interface PrepareCondsOptions {
  /** the latent being sampled, [B, C, H, W] */
  latentShape: readonly number[];
  /** ComfyUI's model_sampling.percent_to_sigma */
  percentToSigma: (percent: number) => number;
  /** the model's extra_conds for one entry (checks the text width, builds SDXL's y); `list` is ComfyUI's prompt_type */
  modelConds: (entry: CondEntry, label: string, list: string) => ModelConds;
  /** the extras hook (CondExtras); without one, an entry carrying control or gligen is refused */
  extras?: (entry: CondEntry, label: string) => CondExtras | undefined;
}

function entryLabel(list: string, entries: readonly CondEntry[], i: number): string {
  const origin = entries[i].origin ? ` (${entries[i].origin})` : '';
  return entries.length === 1 ? `${list}${origin}` : `${list} entry ${i + 1}${origin}`;
}

const areaText = (a: LatentArea) => `${a[1] * 8}x${a[0] * 8} px at x ${a[3] * 8}, y ${a[2] * 8}`;

/** resolve_areas_and_cond_masks_multidim's area for one entry (before "mask bounds"). */
function resolveArea(e: CondEntry, label: string, h: number, w: number): LatentArea | undefined {
  const a = e.area;
  if (!a) return undefined;
  const nums = [a.height, a.width, a.y, a.x];
  if (!nums.every((v) => Number.isFinite(v) && v >= 0)) throw new Error(`${label}: area [${nums.join(', ')}] must be finite and ≥ 0`);
  if (a.unit === 'fraction') {
    // Python's round: half to even
    return [Math.max(1, roundHalfEven(a.height * h)), Math.max(1, roundHalfEven(a.width * w)), roundHalfEven(a.y * h), roundHalfEven(a.x * w)];
  }
  if (!nums.every(Number.isInteger)) throw new Error(`${label}: area [${nums.join(', ')}] must be whole latent units`);
  return [a.height, a.width, a.y, a.x];
}

/** The mask brought to the latent's H×W (ComfyUI resizes any size, bilinear, align_corners false). */
function resolveMask(m: F32Tensor, label: string, h: number, w: number): { data: Float32Array; planes: number } {
  const s = m.shape;
  if ((s.length !== 2 && s.length !== 3) || s.some((v) => !Number.isInteger(v) || v < 1) || m.data.length !== s.reduce((a, b) => a * b, 1)) {
    throw new Error(`${label}: mask has shape [${s.join(', ')}], expected [batch, height, width]`);
  }
  const planes = s.length === 3 ? s[0] : 1;
  const [mh, mw] = s.slice(-2);
  return { data: bilinearPlanes(m.data, planes, mh, mw, h, w), planes };
}

/** get_mask_aabb of max |mask| over the batch: [h, w, y, x] at least 8×8, or (8, 8, 0, 0) when empty. */
function maskBounds(mask: { data: Float32Array; planes: number }, h: number, w: number): LatentArea {
  let y0 = Infinity;
  let x0 = Infinity;
  let y1 = -1;
  let x1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let any = false;
      for (let p = 0; p < mask.planes && !any; p++) any = mask.data[(p * h + y) * w + x] !== 0;
      if (!any) continue;
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
    }
  }
  if (y1 < 0) return [8, 8, 0, 0];
  return [Math.max(8, y1 - y0 + 1), Math.max(8, x1 - x0 + 1), y0, x0];
}

/** ComfyUI clamps an area to the latent when sampling; one that keeps nothing would crash there, so it is refused. */
function checkArea(a: LatentArea, label: string, h: number, w: number): void {
  if (Math.min(h - a[2], a[0]) < 1 || Math.min(w - a[3], a[1]) < 1) {
    throw new Error(`${label}: its area (${areaText(a)}) lies outside the ${w * 8}x${h * 8} px latent being sampled`);
  }
}

function unsupported(e: CondEntry, label: string, o: PrepareCondsOptions): CondExtras | undefined {
  const extras = o.extras?.(e, label);
  if (extras) return extras;
  if (e.control !== undefined) throw new Error(`${label} carries a ControlNet, which this sampler cannot apply yet`);
  if (e.gligen !== undefined) throw new Error(`${label} carries a GLIGEN box, which this sampler cannot apply yet`);
  return undefined;
}

function prepareEntry(e: CondEntry, label: string, list: string, o: PrepareCondsOptions): SamplingCond {
  const extras = unsupported(e, label, o);
  const [, , h, w] = o.latentShape;
  let area = resolveArea(e, label, h, w);
  const mask = e.mask ? resolveMask(e.mask, label, h, w) : undefined;
  const batch = o.latentShape[0];
  // get_area_and_mult takes the first `batch` masks and tiles them over the batch
  if (mask && batch % Math.min(mask.planes, batch) !== 0) {
    throw new Error(`${label}: a batch of ${mask.planes} masks cannot be spread over a latent batch of ${batch} (use 1 mask, or one per latent)`);
  }
  if (mask && e.setAreaToBounds) area = maskBounds(mask, h, w);
  if (area) checkArea(area, label, h, w);
  for (const [k, v] of [
    ['strength', e.strength],
    ['mask strength', e.maskStrength],
  ] as const) {
    if (v !== undefined && !Number.isFinite(v)) throw new Error(`${label}: ${k} ${v} is not a number`);
  }
  const sigmaStart = e.startPercent === undefined ? undefined : o.percentToSigma(e.startPercent);
  const sigmaEnd = e.endPercent === undefined ? undefined : o.percentToSigma(e.endPercent);
  return {
    label,
    strength: e.strength ?? 1,
    maskStrength: e.maskStrength ?? 1,
    model: o.modelConds(e, label, list),
    ...(area ? { area } : {}),
    ...(mask ? { mask } : {}),
    ...(extras ? { extras } : {}),
    ...(sigmaStart !== undefined ? { sigmaStart } : {}),
    ...(sigmaEnd !== undefined ? { sigmaEnd } : {}),
  };
}

/** `area_inside(a, cmp)`: a lies within cmp. */
function areaInside(a: LatentArea, cmp: LatentArea): boolean {
  for (let i = 0; i < 2; i++) if (a[2 + i] < cmp[2 + i] || a[i] + a[2 + i] > cmp[i] + cmp[2 + i]) return false;
  return true;
}

const sameArea = (a: LatentArea, b: LatentArea) => a.every((v, i) => v === b[i]);

/**
 * create_cond_with_same_area_if_none: when `c` has an area that no entry of `list` has exactly, add a copy of `c`
 * (area, strength, mask, range) conditioned on the smallest entry of `list` containing that area (a full-frame entry
 * when none does).
 */
function addOppositeArea(list: SamplingCond[], listName: string, c: SamplingCond): void {
  if (!c.area) return;
  let smallest: SamplingCond | undefined;
  for (const x of list) {
    if (x.area) {
      if (!areaInside(c.area, x.area)) continue;
      if (!smallest?.area || smallest.area[0] * smallest.area[1] > x.area[0] * x.area[1]) smallest = x;
    } else if (!smallest) {
      smallest = x;
    }
  }
  if (!smallest || (smallest.area && sameArea(smallest.area, c.area))) return;
  list.push({ ...c, label: `${listName} (the area of ${c.label})`, model: smallest.model });
}

/** ComfyUI's "area" key after resolve_areas_and_cond_masks_multidim: an area, or a mask taken as bounds. */
const hasArea = (e: CondEntry) => e.area !== undefined || (e.mask !== undefined && e.setAreaToBounds === true);

/**
 * apply_empty_x_to_equal_area(positive, other, 'gligen'): when no area-less entry of `other` has GLIGEN boxes, the
 * area-less entries without any take the positive's boxes in turn (the uncond sees the cond's GLIGEN, as in ComfyUI).
 */
export function fillGligenFromPositive(positive: readonly CondEntry[], other: readonly CondEntry[], name: string): readonly CondEntry[] {
  const given = positive.filter((e) => !hasArea(e) && e.gligen !== undefined).map((e) => e.gligen!);
  const plain = other.flatMap((e, i) => (hasArea(e) ? [] : e.gligen !== undefined ? [-1] : [i]));
  if (given.length === 0 || plain.includes(-1)) return other;
  if (plain.length === 0)
    throw new Error(`${name}: every entry has an area, so none can take the positive's GLIGEN boxes (give it an entry without an area)`);
  const out = [...other];
  given.forEach((g, k) => {
    out[plain[k % plain.length]] = { ...other[plain[k % plain.length]], gligen: g };
  });
  return out;
}

/** process_conds for the named conditioning lists (positive first, as ComfyUI's dict order). */
export function prepareConds(lists: readonly { name: string; entries: readonly CondEntry[] }[], o: PrepareCondsOptions): SamplingCond[][] {
  if (o.latentShape.length !== 4) throw new Error(`latent has shape [${o.latentShape.join(', ')}], expected [batch, channels, height, width]`);
  // ComfyUI fills the uncond's GLIGEN after the other steps; no step between looks at it, so it is done first here
  const positive = lists[0]?.name === 'positive' ? lists[0].entries : undefined;
  const filled = lists.map((l, k) => (positive && k > 0 ? { ...l, entries: fillGligenFromPositive(positive, l.entries, l.name) } : l));
  const out = filled.map(({ name, entries }) => entries.map((e, i) => prepareEntry(e, entryLabel(name, entries, i), name, o)));
  out.forEach((list, k) => {
    // the other lists grow while this one is walked; this one only grows when another is walked (ComfyUI's loops)
    for (const c of list)
      out.forEach((other, kk) => {
        if (kk !== k) addOppositeArea(other, lists[kk].name, c);
      });
  });
  return out;
}
