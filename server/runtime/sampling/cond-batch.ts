/**
 * ComfyUI's `calc_cond_batch` (comfy/samplers.py) per model evaluation: each entry active at this σ
 * (`get_area_and_mult`) is cropped to its area with its weight (strength, mask × mask_strength, or the 8-latent-pixel
 * feathered edges of a plain area); entries that can share a model call (same crop, same model-cond keys,
 * cross-attention lengths within 4× of their lcm) run as one batch, taken newest first as ComfyUI takes them; each
 * list's prediction is Σ output·weight / Σ weight (weights start at 1e-37). Float32 step by step as torch: one plain
 * entry per side gives exactly the plain [uncond, cond] batch.
 */
import type { F32Tensor } from '../models';
import type { CondPredictor } from './cfg';
import type { CondExtras, LatentArea, ModelConds, SamplingCond, UNetExtraInputs } from './conds';
import type { ModelSamplingDiscrete } from './model-sampling';

const f = Math.fround;

/**
 * The network (UNet) on x·c_in [N, C, h, w] at one timestep, context [N, T, D] (and y [N, adm]) → eps / v; `extras`
 * are the batch's CondExtras inputs (ControlNet residuals, concat channels, GLIGEN tokens) when its entries have any.
 */
export type UNetCall = (x: F32Tensor, timestep: number, context: F32Tensor, y?: F32Tensor, extras?: UNetExtraInputs) => Promise<Float32Array>;

export interface CondBatchOptions {
  modelSampling: ModelSamplingDiscrete;
  model: UNetCall;
  /** prepared lists (prepareConds), index 0 the positive */
  lists: readonly (readonly SamplingCond[])[];
  /** the latent's layout [B, C, H, W] */
  shape: readonly number[];
  timesteps?: 'quantized' | 'continuous';
  /** may one model call take `rows` latents of h×w? ComfyUI halves the batch until it fits free memory */
  fits?: (rows: number, h: number, w: number) => boolean;
}

/** get_area_and_mult's result for one entry at one step. */
interface Pass {
  list: number;
  /** clamped [h, w, y, x] (full frame when the entry has no area) */
  area: LatentArea;
  /** the crop of x, [B, C, h, w] */
  input: Float32Array;
  /** weight per element of the crop */
  mult: Float32Array;
  model: ModelConds;
  extras?: CondExtras;
}

function crop(x: Float32Array, shape: readonly number[], a: LatentArea): Float32Array {
  const [b, c, H, W] = shape;
  const [h, w, y0, x0] = a;
  if (h === H && w === W) return x;
  const out = new Float32Array(b * c * h * w);
  for (let p = 0; p < b * c; p++)
    for (let y = 0; y < h; y++) out.set(x.subarray((p * H + y0 + y) * W + x0, (p * H + y0 + y) * W + x0 + w), (p * h + y) * w);
  return out;
}

/** get_area_and_mult; null when σ is outside the entry's timestep range. */
function areaAndMult(e: SamplingCond, list: number, x: Float32Array, sigma: number, shape: readonly number[]): Pass | null {
  if (e.sigmaStart !== undefined && sigma > f(e.sigmaStart)) return null;
  if (e.sigmaEnd !== undefined && sigma < f(e.sigmaEnd)) return null;
  const [batch, channels, H, W] = shape;
  const area: LatentArea = e.area ? [Math.min(H - e.area[2], e.area[0]), Math.min(W - e.area[3], e.area[1]), e.area[2], e.area[3]] : [H, W, 0, 0];
  const [h, w, y0, x0] = area;
  const plane = h * w;
  const mult = new Float32Array(batch * channels * plane);
  const strength = f(e.strength);
  if (e.mask) {
    const planes = Math.min(e.mask.planes, batch);
    const ms = f(e.maskStrength);
    for (let b = 0; b < batch; b++) {
      const src = (b % planes) * H * W;
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < w; xx++) {
          const m = f(f(e.mask.data[src + (y0 + y) * W + x0 + xx] * ms) * strength);
          for (let c = 0; c < channels; c++) mult[((b * channels + c) * h + y) * w + xx] = m;
        }
      }
    }
  } else {
    mult.fill(strength);
    if (e.area) feather(mult, area, batch * channels, H, W);
  }
  return { list, area, input: crop(x, shape, area), mult, model: e.model, ...(e.extras ? { extras: e.extras } : {}) };
}

/** A plain area's edges that lie inside the latent ramp up over min(8, size/4) latent pixels. */
function feather(mult: Float32Array, a: LatentArea, planes: number, H: number, W: number): void {
  const [h, w, y0, x0] = a;
  const scaleRow = (y: number, s: number) => {
    for (let p = 0; p < planes; p++) for (let x = 0; x < w; x++) mult[(p * h + y) * w + x] = f(mult[(p * h + y) * w + x] * s);
  };
  const scaleCol = (x: number, s: number) => {
    for (let p = 0; p < planes; p++) for (let y = 0; y < h; y++) mult[(p * h + y) * w + x] = f(mult[(p * h + y) * w + x] * s);
  };
  const rows = Math.min(8, Math.floor(h / 4));
  if (y0 !== 0) for (let t = 0; t < rows; t++) scaleRow(t, f((1 / rows) * (t + 1)));
  if (h + y0 < H) for (let t = 0; t < rows; t++) scaleRow(h - 1 - t, f((1 / rows) * (t + 1)));
  const cols = Math.min(8, Math.floor(w / 4));
  if (x0 !== 0) for (let t = 0; t < cols; t++) scaleCol(t, f((1 / cols) * (t + 1)));
  if (w + x0 < W) for (let t = 0; t < cols; t++) scaleCol(w - 1 - t, f((1 / cols) * (t + 1)));
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number) => (a / gcd(a, b)) * b;

/**
 * can_concat_cond: same crop, same model-cond keys; cross-attention of one width with lengths within 4× of their lcm;
 * the same y width (batches are equal once repeated to the latent's).
 */
function canConcat(a: Pass, b: Pass): boolean {
  if (a.area[0] !== b.area[0] || a.area[1] !== b.area[1]) return false;
  if (a.extras?.key !== b.extras?.key) return false;
  if (a.model === b.model) return true;
  if ((a.model.y === undefined) !== (b.model.y === undefined)) return false;
  // CONDNoiseShape.can_concat: equal shapes (crops of the same size were checked above)
  if ((a.model.concat === undefined) !== (b.model.concat === undefined) || a.model.concat?.shape[1] !== b.model.concat?.shape[1]) return false;
  const [, ta, da] = a.model.cross.shape;
  const [, tb, db] = b.model.cross.shape;
  if (da !== db || lcm(ta, tb) / Math.min(ta, tb) > 4) return false;
  return a.model.y === undefined || a.model.y.shape[1] === b.model.y?.shape[1];
}

/** repeat_to_batch_size on the leading dimension: row r takes row r mod n (the first `batch` when there are more). */
function rowsFor(t: F32Tensor, batch: number): Float32Array[] {
  const n = t.shape[0];
  const size = t.data.length / n;
  return Array.from({ length: batch }, (_, r) => t.data.subarray((r % n) * size, ((r % n) + 1) * size));
}

/** cond_cat: cross-attention repeated along tokens to the lcm of the lengths (attention over repeats is unchanged). */
function batchContext(passes: readonly Pass[], batch: number): F32Tensor {
  const length = passes.reduce((l, p) => lcm(l, p.model.cross.shape[1]), passes[0].model.cross.shape[1]);
  const dim = passes[0].model.cross.shape[2];
  const rowSize = length * dim;
  const out = new Float32Array(passes.length * batch * rowSize);
  let row = 0;
  for (const p of passes) {
    for (const src of rowsFor(p.model.cross, batch)) {
      for (let off = 0; off < rowSize; off += src.length) out.set(src.subarray(0, Math.min(src.length, rowSize - off)), row * rowSize + off);
      row++;
    }
  }
  return { data: out, shape: [passes.length * batch, length, dim] };
}

function batchY(passes: readonly Pass[], batch: number): F32Tensor | undefined {
  if (!passes[0].model.y) return undefined;
  const width = passes[0].model.y.shape[1];
  const out = new Float32Array(passes.length * batch * width);
  let row = 0;
  for (const p of passes) for (const src of rowsFor(p.model.y!, batch)) out.set(src, row++ * width);
  return { data: out, shape: [passes.length * batch, width] };
}

/** c_concat of the batch: each pass's concat cropped to its area (CONDNoiseShape.process_cond), repeated to the batch. */
function batchConcat(passes: readonly Pass[], batch: number): F32Tensor | undefined {
  const first = passes[0].model.concat;
  if (!first) return undefined;
  const [, cx, H, W] = first.shape;
  const [h, w] = passes[0].area;
  const size = cx * h * w;
  const out = new Float32Array(passes.length * batch * size);
  let row = 0;
  for (const p of passes) {
    const c = p.model.concat!;
    const rows = c.shape[0];
    for (let b = 0; b < batch; b++) {
      const src = crop(c.data.subarray((b % rows) * cx * H * W, ((b % rows) + 1) * cx * H * W), [1, cx, H, W], p.area);
      out.set(src, row++ * size);
    }
  }
  return { data: out, shape: [passes.length * batch, cx, h, w] };
}

/**
 * When ComfyUI's calc_cond_batch on [positive, negative] is exactly one model call on [uncond rows; cond rows] at every
 * step (one full-frame entry per list, strength 1, no mask, no timestep range, no extras or c_concat, batchable, and
 * the 2B rows fit), that call's context and y; otherwise why not. Resident sampling runs such pairs on the device.
 */
export function plainPairBatch(
  lists: readonly (readonly SamplingCond[])[],
  shape: readonly number[],
  fits?: (rows: number, h: number, w: number) => boolean,
): { context: F32Tensor; y?: F32Tensor } | string {
  if (lists.length !== 2 || lists.some((l) => l.length !== 1)) return 'more than one conditioning entry per side';
  const [batch, , H, W] = shape;
  const passes: Pass[] = [];
  for (const [i, list] of lists.entries()) {
    const e = list[0];
    if (e.area || e.mask || f(e.strength) !== 1) return `${e.label} has an area, a mask or a strength`;
    if (e.sigmaStart !== undefined || e.sigmaEnd !== undefined) return `${e.label} has a timestep range`;
    if (e.extras || e.model.concat) return `${e.label} feeds extra UNet inputs`;
    passes.push({ list: i, area: [H, W, 0, 0], input: new Float32Array(0), mult: new Float32Array(0), model: e.model });
  }
  if (!canConcat(passes[1], passes[0])) return 'the two conditionings cannot share a model call';
  if (fits && !fits(2 * batch, H, W)) return `${2 * batch} rows of ${H}x${W} do not fit in one model call`;
  // calc_cond_batch takes the newest first: the negative's rows, then the positive's
  const ordered = [passes[1], passes[0]];
  const y = batchY(ordered, batch);
  return { context: batchContext(ordered, batch), ...(y ? { y } : {}) };
}

/** The CondPredictor of prepared conditioning lists (ComfyUI's calc_cond_batch). */
export function condBatchPredictor(o: CondBatchOptions): CondPredictor {
  const [batch, channels, H, W] = o.shape;
  const n = batch * channels * H * W;
  const tiny = f(1e-37);
  return async (x, sigma, active) => {
    if (x.length !== n) throw new Error(`x holds ${x.length} values, expected ${n} for [${o.shape.join(', ')}]`);
    const ms = o.modelSampling;
    const toRun: Pass[] = [];
    o.lists.forEach((list, i) => {
      if (!active[i]) return;
      for (const e of list) {
        const p = areaAndMult(e, i, x, sigma, o.shape);
        if (p) toRun.push(p);
      }
    });
    const outs = o.lists.map(() => new Float32Array(n));
    const counts = o.lists.map(() => new Float32Array(n).fill(tiny));
    while (toRun.length > 0) {
      const first = toRun[0];
      const together: number[] = [];
      toRun.forEach((p, k) => {
        if (canConcat(p, first)) together.push(k);
      });
      together.reverse();
      let take = together.slice(0, 1);
      for (let i = 1; i <= together.length; i++) {
        const amount = together.slice(0, Math.floor(together.length / i));
        if (!o.fits || o.fits(amount.length * batch, first.area[0], first.area[1])) {
          take = amount;
          break;
        }
      }
      // indices are descending, so each splice leaves the next one in place
      const passes = take.map((k) => toRun.splice(k, 1)[0]);
      const [h, w] = first.area;
      const size = batch * channels * h * w;
      const input = new Float32Array(passes.length * size);
      passes.forEach((p, j) => input.set(p.input, j * size));
      const cIn = ms.cIn(sigma);
      const xIn = Float32Array.from(input, (v) => v * cIn);
      const t = o.timesteps === 'continuous' ? ms.timestepContinuous(sigma) : ms.timestep(sigma);
      const callShape = [passes.length * batch, channels, h, w];
      // ComfyUI takes the batch's control from its first pass (all share it: canConcat compared the keys)
      const ex = passes[0].extras;
      const context = batchContext(passes, batch);
      const y = batchY(passes, batch);
      const hooked = ex
        ? await ex.stepInputs({
            x: input,
            shape: callShape,
            sigma,
            timestep: t,
            areas: passes.map((p) => p.area),
            lists: passes.map((p) => p.list),
            context,
            ...(y ? { y } : {}),
          })
        : undefined;
      const concat = batchConcat(passes, batch);
      const extras = concat ? { ...hooked, concat } : hooked;
      const out = await o.model({ data: xIn, shape: callShape }, t, context, y, extras);
      if (out.length !== input.length) throw new Error(`model returned ${out.length} values, expected ${input.length}`);
      const denoised = ms.calculateDenoised(sigma, out, input);
      passes.forEach((p, j) => accumulate(outs[p.list], counts[p.list], denoised.subarray(j * size, (j + 1) * size), p, o.shape));
    }
    return outs.map((out, i) => {
      const c = counts[i];
      for (let k = 0; k < n; k++) out[k] = f(out[k] / c[k]);
      return out;
    });
  };
}

/** out[area] += prediction·mult; count[area] += mult. */
function accumulate(out: Float32Array, count: Float32Array, pred: Float32Array, p: Pass, shape: readonly number[]): void {
  const [batch, channels, H, W] = shape;
  const [h, w, y0, x0] = p.area;
  for (let q = 0; q < batch * channels; q++) {
    for (let y = 0; y < h; y++) {
      const src = (q * h + y) * w;
      const dst = (q * H + y0 + y) * W + x0;
      for (let x = 0; x < w; x++) {
        const m = p.mult[src + x];
        out[dst + x] = f(out[dst + x] + f(pred[src + x] * m));
        count[dst + x] = f(count[dst + x] + m);
      }
    }
  }
}
