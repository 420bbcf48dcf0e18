/**
 * ComfyUI's bislerp (comfy/utils.py): a bilinear resize of a latent that spherically interpolates each pixel's channel
 * vector instead of mixing channels linearly — along W first, then along H. Float32 throughout, as torch runs it.
 */
import type { FloatTensor } from '../values';
import { linearTaps } from './interpolate';

const f = Math.fround;
const NEAR_ONE = f(1 - 1e-5);
const NEAR_MINUS_ONE = f(1e-5 - 1);

/**
 * generate_bilinear_data: torch's bilinear resize of the coordinates 0..old−1 (and of 1..old with the last one
 * clamped), giving for each new position the two source pixels and the fraction between them.
 */
function bilinearData(oldLen: number, newLen: number): { c1: Int32Array; c2: Int32Array; ratio: Float32Array } {
  const taps = linearTaps(oldLen, newLen);
  const c1 = new Int32Array(newLen);
  const c2 = new Int32Array(newLen);
  const ratio = new Float32Array(newLen);
  const coord2 = (i: number) => (i === oldLen - 1 ? i : i + 1);
  for (let o = 0; o < newLen; o++) {
    const [i0, i1] = [taps.index[2 * o], taps.index[2 * o + 1]];
    const [w0, w1] = [taps.weight[2 * o], taps.weight[2 * o + 1]];
    // one rounding of the two-term sum: what torch 1.13 gives for these coordinate rows (measured)
    const v1 = f(i0 * w0 + i1 * w1);
    const v2 = f(coord2(i0) * w0 + coord2(i1) * w1);
    ratio[o] = f(v1 - Math.floor(v1));
    c1[o] = Math.trunc(v1);
    c2[o] = Math.trunc(v2);
  }
  return { c1, c2, ratio };
}

/**
 * slerp of two channel vectors read with stride `cs` from `src` at a and b, by ratio r, written to `dst` at o.
 * `n1`, `n2`, `v1`, `v2` are scratch buffers of the channel count.
 */
function slerpInto(
  src: Float32Array,
  a: number,
  b: number,
  cs: number,
  c: number,
  r: number,
  dst: Float32Array,
  o: number,
  os: number,
  v1: Float32Array,
  v2: Float32Array,
): void {
  let s1 = 0;
  let s2 = 0;
  for (let k = 0; k < c; k++) {
    const x1 = src[a + k * cs];
    const x2 = src[b + k * cs];
    s1 = f(s1 + f(x1 * x1));
    s2 = f(s2 + f(x2 * x2));
  }
  const n1 = f(Math.sqrt(s1));
  const n2 = f(Math.sqrt(s2));
  let dot = 0;
  for (let k = 0; k < c; k++) {
    v1[k] = n1 === 0 ? 0 : f(src[a + k * cs] / n1);
    v2[k] = n2 === 0 ? 0 : f(src[b + k * cs] / n2);
    dot = f(dot + f(v1[k] * v2[k]));
  }
  const rr = f(1 - r);
  if (dot > NEAR_ONE) {
    for (let k = 0; k < c; k++) dst[o + k * os] = src[a + k * cs];
    return;
  }
  if (dot < NEAR_MINUS_ONE) {
    for (let k = 0; k < c; k++) dst[o + k * os] = f(f(src[a + k * cs] * rr) + f(src[b + k * cs] * r));
    return;
  }
  const omega = f(Math.acos(dot));
  const so = f(Math.sin(omega));
  const k1 = f(f(Math.sin(f(rr * omega))) / so);
  const k2 = f(f(Math.sin(f(r * omega))) / so);
  const scale = f(f(n1 * rr) + f(n2 * r));
  for (let k = 0; k < c; k++) dst[o + k * os] = f(f(f(k1 * v1[k]) + f(k2 * v2[k])) * scale);
}

/** bislerp(samples, width, height) on an NCHW tensor. */
export function bislerp(src: FloatTensor, outH: number, outW: number): FloatTensor {
  const [n, c, h, w] = src.shape;
  if (h < 1 || w < 1 || outH < 1 || outW < 1) throw new Error(`cannot resize ${w}x${h} to ${outW}x${outH}: both sizes must be at least 1x1`);
  const v1 = new Float32Array(c);
  const v2 = new Float32Array(c);
  // along W: [n, c, h, w] → [n, c, h, outW]
  const mid = new Float32Array(n * c * h * outW);
  const bw = bilinearData(w, outW);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const row = b * c * h * w + y * w;
      const orow = b * c * h * outW + y * outW;
      for (let x = 0; x < outW; x++) slerpInto(src.data, row + bw.c1[x], row + bw.c2[x], h * w, c, bw.ratio[x], mid, orow + x, h * outW, v1, v2);
    }
  }
  // along H: [n, c, h, outW] → [n, c, outH, outW]
  const out = new Float32Array(n * c * outH * outW);
  const bh = bilinearData(h, outH);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < outH; y++) {
      const base = b * c * h * outW;
      const obase = b * c * outH * outW + y * outW;
      for (let x = 0; x < outW; x++) {
        slerpInto(mid, base + bh.c1[y] * outW + x, base + bh.c2[y] * outW + x, h * outW, c, bh.ratio[y], out, obase + x, outH * outW, v1, v2);
      }
    }
  }
  return { shape: [n, c, outH, outW], data: out };
}
