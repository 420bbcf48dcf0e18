/**
 * ComfyUI's masked paste (comfy_extras/nodes_mask.py `composite`), shared by LatentCompositeMasked (positions in
 * pixels, multiplier 8) and ImageCompositeMasked (multiplier 1): the source, optionally resized to the destination,
 * is pasted at (x, y) through a mask resized bilinearly to the source.
 */
import type { FloatTensor, MaskValue } from '../values';
import { repeatToBatchSize } from './batch';
import { interpolate } from './interpolate';
import { dimsOf, planeOffset, stridesOf, type Layout } from './layout';

const f = Math.fround;

/** A MASK ([B, H, W] or [H, W]) as an NCHW tensor with one channel. */
export function maskAsPlanes(mask: MaskValue): FloatTensor {
  const s = mask.shape;
  const [h, w] = s.slice(-2);
  return { shape: [mask.data.length / (h * w), 1, h, w], data: mask.data };
}

export interface CompositeOptions {
  x: number;
  y: number;
  multiplier: number;
  resizeSource: boolean;
  mask?: MaskValue;
}

/** A new tensor: `destination` with `source` pasted (both 4-D in `layout`, same channel count). */
export function compositeMasked(destination: FloatTensor, source: FloatTensor, layout: Layout, o: CompositeOptions): FloatTensor {
  const dd = dimsOf(destination, layout);
  let src = source;
  if (o.resizeSource) src = interpolate(src, layout, dd.h, dd.w, 'bilinear');
  src = repeatToBatchSize(src, dd.n);
  const sd = dimsOf(src, layout);
  if (sd.c !== dd.c) throw new Error(`source has ${sd.c} channels, destination ${dd.c}`);
  const m = o.multiplier;
  const x = Math.max(-sd.w * m, Math.min(o.x, dd.w * m));
  const y = Math.max(-sd.h * m, Math.min(o.y, dd.h * m));
  const left = Math.floor(x / m);
  const top = Math.floor(y / m);
  let mask: FloatTensor | undefined;
  if (o.mask) mask = repeatToBatchSize(interpolate(maskAsPlanes(o.mask), 'nchw', sd.h, sd.w, 'bilinear'), sd.n);
  // the part of the source that lands inside the destination
  const visW = Math.min(sd.w, dd.w - left + Math.min(0, x), dd.w - left);
  const visH = Math.min(sd.h, dd.h - top + Math.min(0, y), dd.h - top);
  const out: FloatTensor = { shape: [...destination.shape], data: Float32Array.from(destination.data) };
  const so = stridesOf(dd, layout);
  const ss = stridesOf(sd, layout);
  for (let n = 0; n < dd.n; n++) {
    for (let c = 0; c < dd.c; c++) {
      const ob = planeOffset(so, n, c);
      const sb = planeOffset(ss, n, c);
      const mb = n * sd.h * sd.w;
      for (let r = 0; r < visH; r++) {
        for (let q = 0; q < visW; q++) {
          const oi = ob + (top + r) * so.h + (left + q) * so.w;
          const s = src.data[sb + r * ss.h + q * ss.w];
          if (!mask) {
            out.data[oi] = s;
            continue;
          }
          const mv = mask.data[mb + r * sd.w + q];
          out.data[oi] = f(f(mv * s) + f(f(1 - mv) * out.data[oi]));
        }
      }
    }
  }
  return out;
}
