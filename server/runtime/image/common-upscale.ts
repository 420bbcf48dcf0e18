/**
 * comfy.utils.common_upscale: an optional centre crop to the target aspect ratio, then one of ComfyUI's upscale
 * methods. Every image/latent resize node goes through here, so hires fix, ImageScale and friends agree with ComfyUI.
 */
import type { FloatTensor } from '../values';
import { bislerp } from './bislerp';
import { interpolate } from './interpolate';
import { lanczos } from './lanczos';
import { dimsOf, emptyTensor, planeOffset, stridesOf, type Layout } from './layout';

export type UpscaleMethod = 'nearest-exact' | 'bilinear' | 'area' | 'bicubic' | 'bislerp' | 'lanczos';
export type CropMethod = 'disabled' | 'center';

/** Python's round(): halves go to the even neighbour (ComfyUI computes sizes with it). */
export function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A window of a 4-D tensor (torch narrow on H and W), copied. */
export function cropHW(src: FloatTensor, layout: Layout, y: number, x: number, h: number, w: number): FloatTensor {
  const d = dimsOf(src, layout);
  if (y < 0 || x < 0 || h < 0 || w < 0 || y + h > d.h || x + w > d.w)
    throw new Error(`crop ${w}x${h} at (${x}, ${y}) does not fit a ${d.w}x${d.h} tensor`);
  const od = { ...d, h, w };
  const out = emptyTensor(od, layout);
  const si = stridesOf(d, layout);
  const so = stridesOf(od, layout);
  for (let n = 0; n < d.n; n++) {
    for (let c = 0; c < d.c; c++) {
      const ib = planeOffset(si, n, c) + y * si.h + x * si.w;
      const ob = planeOffset(so, n, c);
      for (let r = 0; r < h; r++) for (let q = 0; q < w; q++) out.data[ob + r * so.h + q * so.w] = src.data[ib + r * si.h + q * si.w];
    }
  }
  return out;
}

/** The centre crop common_upscale takes before resizing (crop "center"): y, x, height, width. */
export function centerCropBox(oldW: number, oldH: number, width: number, height: number): { x: number; y: number; w: number; h: number } {
  const oldAspect = oldW / oldH;
  const newAspect = width / height;
  let x = 0;
  let y = 0;
  if (oldAspect > newAspect) x = pyRound((oldW - oldW * (newAspect / oldAspect)) / 2);
  else if (oldAspect < newAspect) y = pyRound((oldH - oldH * (oldAspect / newAspect)) / 2);
  return { x, y, w: oldW - 2 * x, h: oldH - 2 * y };
}

/**
 * common_upscale(samples, width, height, method, crop) on a 4-D tensor in `layout` (NCHW latents, NHWC images — the
 * methods behave as on ComfyUI's NCHW view of either). bislerp needs NCHW; lanczos 1, 3 or 4 channels.
 */
export function commonUpscale(src: FloatTensor, layout: Layout, width: number, height: number, method: UpscaleMethod, crop: CropMethod): FloatTensor {
  const d = dimsOf(src, layout);
  if (width < 1 || height < 1) throw new Error(`cannot resize to ${width}x${height}: both sizes must be at least 1`);
  let s = src;
  let cropped = false;
  if (crop === 'center') {
    const box = centerCropBox(d.w, d.h, width, height);
    if (box.w < 1 || box.h < 1) throw new Error(`a centre crop of ${d.w}x${d.h} to the aspect of ${width}x${height} leaves nothing`);
    if (box.x !== 0 || box.y !== 0) {
      s = cropHW(src, layout, box.y, box.x, box.h, box.w);
      cropped = true;
    }
  }
  if (method === 'bislerp') {
    if (layout !== 'nchw') throw new Error('bislerp resizes latents (NCHW), not images');
    return bislerp(s, height, width);
  }
  if (method === 'lanczos') return lanczos(s, layout, height, width);
  // torch's narrow() leaves a strided view, which takes another bilinear kernel (bit-level difference only)
  return interpolate(s, layout, height, width, method, cropped);
}
