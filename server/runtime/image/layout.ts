/**
 * Where pixel (n, c, y, x) sits in a tensor's Float32Array. IMAGE values are NHWC ([B, H, W, C], ComfyUI's layout),
 * LATENT and MASK values planar (NCHW / [B, H, W]); the resamplers read and write either in place of a transpose.
 */
import type { FloatTensor } from '../values';

export type Layout = 'nchw' | 'nhwc';

export interface Dims {
  n: number;
  c: number;
  h: number;
  w: number;
}

export interface Strides {
  n: number;
  c: number;
  h: number;
  w: number;
}

export function dimsOf(t: FloatTensor, layout: Layout): Dims {
  const s = t.shape;
  if (s.length !== 4) throw new Error(`expected a 4-D tensor, got shape [${s.join(', ')}]`);
  return layout === 'nchw' ? { n: s[0], c: s[1], h: s[2], w: s[3] } : { n: s[0], h: s[1], w: s[2], c: s[3] };
}

export function shapeOf(d: Dims, layout: Layout): number[] {
  return layout === 'nchw' ? [d.n, d.c, d.h, d.w] : [d.n, d.h, d.w, d.c];
}

export function stridesOf(d: Dims, layout: Layout): Strides {
  return layout === 'nchw' ? { n: d.c * d.h * d.w, c: d.h * d.w, h: d.w, w: 1 } : { n: d.h * d.w * d.c, c: 1, h: d.w * d.c, w: d.c };
}

/** Offset of plane (n, c) — the pixel (0, 0) of that channel of that batch item. */
export const planeOffset = (s: Strides, n: number, c: number): number => n * s.n + c * s.c;

export function emptyTensor(d: Dims, layout: Layout): FloatTensor {
  return { shape: shapeOf(d, layout), data: new Float32Array(d.n * d.c * d.h * d.w) };
}
