/**
 * ComfyUI's `lanczos` upscale (comfy/utils.py): each image goes to 8 bits (clip(255·x) truncated, as numpy's astype),
 * through Pillow's `Image.resize(..., LANCZOS)` and back as v / 255. Pillow's resampler (libImaging/Resample.c,
 * 9.x) is reproduced exactly: double-precision Lanczos-3 coefficients normalised per output pixel, converted to 22-bit
 * fixed point, a horizontal pass to 8-bit rows, then a vertical pass, each rounding and clipping to 0..255; RGBA is
 * resized premultiplied (Pillow's RGBa) and un-premultiplied after.
 */
import type { FloatTensor } from '../values';
import { dimsOf, emptyTensor, planeOffset, stridesOf, type Layout } from './layout';

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const ONE = 1 << PRECISION_BITS;
const SUPPORT = 3;

const sinc = (x: number): number => {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
};
const lanczosFilter = (x: number): number => (x >= -SUPPORT && x < SUPPORT ? sinc(x) * sinc(x / 3) : 0);

/** precompute_coeffs + normalize_coeffs_8bpc: for each output pixel, its first input pixel, tap count, int weights. */
export interface FixedCoeffs {
  ksize: number;
  xmin: Int32Array;
  count: Int32Array;
  k: Int32Array;
}

export function lanczosCoeffs(inSize: number, outSize: number): FixedCoeffs {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = SUPPORT * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const xminA = new Int32Array(outSize);
  const countA = new Int32Array(outSize);
  const kk = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    // C's (int) cast truncates toward zero
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      w[x] = lanczosFilter((x + xmin - center + 0.5) * ss);
      ww += w[x];
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? w[x] / ww : w[x];
      kk[xx * ksize + x] = Math.trunc(v < 0 ? -0.5 + v * ONE : 0.5 + v * ONE);
    }
    xminA[xx] = xmin;
    countA[xx] = xmax;
  }
  return { ksize, xmin: xminA, count: countA, k: kk };
}

const clip8 = (ss: number): number => {
  const v = ss >> PRECISION_BITS;
  return Math.min(Math.max(v, 0), 255);
};

/**
 * An 8-bit image of `ch` interleaved channels (h × w pixels, row-major) resized to outH × outW as ImagingResampleInner
 * does it: the horizontal pass (when the width changes) to 8-bit rows, then the vertical pass, each channel alike.
 */
export function resample8(
  src: Uint8Array,
  h: number,
  w: number,
  ch: number,
  outH: number,
  outW: number,
  cx?: FixedCoeffs,
  cy?: FixedCoeffs,
): Uint8Array {
  if (ch !== 1 && ch !== 3 && ch !== 4) throw new Error(`8-bit resampling takes 1, 3 or 4 channels, not ${ch}`);
  let cur = src;
  let curW = w;
  if (outW !== w) {
    const c = cx ?? lanczosCoeffs(w, outW);
    const tmp = new Uint8Array(h * outW * ch);
    for (let y = 0; y < h; y++) {
      const row = y * w * ch;
      const orow = y * outW * ch;
      for (let xx = 0; xx < outW; xx++) {
        const x0 = row + c.xmin[xx] * ch;
        const kb = xx * c.ksize;
        const count = c.count[xx];
        // int32 sums as Pillow's (its products and sums fit: two bits of headroom over 8 + 22)
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        let s3 = HALF;
        for (let x = 0; x < count; x++) {
          const k = c.k[kb + x];
          const p = x0 + x * ch;
          s0 = (s0 + cur[p] * k) | 0;
          if (ch > 1) {
            s1 = (s1 + cur[p + 1] * k) | 0;
            s2 = (s2 + cur[p + 2] * k) | 0;
            if (ch > 3) s3 = (s3 + cur[p + 3] * k) | 0;
          }
        }
        const o = orow + xx * ch;
        tmp[o] = clip8(s0);
        if (ch > 1) {
          tmp[o + 1] = clip8(s1);
          tmp[o + 2] = clip8(s2);
          if (ch > 3) tmp[o + 3] = clip8(s3);
        }
      }
    }
    cur = tmp;
    curW = outW;
  }
  if (outH !== h) {
    const c = cy ?? lanczosCoeffs(h, outH);
    const rowLen = curW * ch;
    const out = new Uint8Array(outH * rowLen);
    const acc = new Int32Array(rowLen);
    for (let yy = 0; yy < outH; yy++) {
      const kb = yy * c.ksize;
      const y0 = c.xmin[yy];
      acc.fill(HALF);
      // row by row: the same int32 sums as Pillow's loop, in another order (integer addition does not care)
      for (let y = 0; y < c.count[yy]; y++) {
        const k = c.k[kb + y];
        const row = (y0 + y) * rowLen;
        for (let i = 0; i < rowLen; i++) acc[i] += cur[row + i] * k;
      }
      const o = yy * rowLen;
      for (let i = 0; i < rowLen; i++) out[o + i] = clip8(acc[i]);
    }
    cur = out;
  }
  return cur;
}

/** numpy `np.clip(255. * x, 0, 255).astype(np.uint8)` on float32 data. */
const toByte = (v: number): number => {
  const s = Math.fround(255 * v);
  return s >= 255 ? 255 : s > 0 ? Math.trunc(s) : 0;
};

/** Pillow MULDIV255: (a·b + 127) / 255 rounded, as its shift trick computes it. */
const mulDiv255 = (a: number, b: number): number => {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
};

/** comfy.utils.lanczos(samples, width, height) for images with 1 (L), 3 (RGB) or 4 (RGBA) channels. */
export function lanczos(src: FloatTensor, layout: Layout, outH: number, outW: number): FloatTensor {
  const d = dimsOf(src, layout);
  if (d.c !== 1 && d.c !== 3 && d.c !== 4) throw new Error(`lanczos resizes images with 1, 3 or 4 channels, not ${d.c}`);
  if (d.h < 1 || d.w < 1 || outH < 1 || outW < 1) throw new Error(`cannot resize ${d.w}x${d.h} to ${outW}x${outH}: both sizes must be at least 1x1`);
  const od = { ...d, h: outH, w: outW };
  const out = emptyTensor(od, layout);
  const si = stridesOf(d, layout);
  const so = stridesOf(od, layout);
  const same = outH === d.h && outW === d.w;
  const cx = outW !== d.w ? lanczosCoeffs(d.w, outW) : undefined;
  const cy = outH !== d.h ? lanczosCoeffs(d.h, outH) : undefined;
  const n = d.h * d.w;
  const ch = d.c;
  for (let b = 0; b < d.n; b++) {
    const px = new Uint8Array(n * ch);
    const base = planeOffset(si, b, 0);
    for (let y = 0; y < d.h; y++) {
      for (let x = 0; x < d.w; x++) {
        const p = base + y * si.h + x * si.w;
        for (let q = 0; q < ch; q++) px[(y * d.w + x) * ch + q] = toByte(src.data[p + q * si.c]);
      }
    }
    const rgba = ch === 4 && !same;
    if (rgba) for (let i = 0; i < n; i++) for (let q = 0; q < 3; q++) px[i * 4 + q] = mulDiv255(px[i * 4 + q], px[i * 4 + 3]);
    const res = same ? px : resample8(px, d.h, d.w, ch, outH, outW, cx, cy);
    if (rgba) {
      for (let i = 0; i < outH * outW; i++) {
        const a = res[i * 4 + 3];
        if (a !== 0 && a !== 255) for (let q = 0; q < 3; q++) res[i * 4 + q] = Math.min(255, Math.trunc((255 * res[i * 4 + q]) / a));
      }
    }
    const obase = planeOffset(so, b, 0);
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        const p = obase + y * so.h + x * so.w;
        for (let q = 0; q < ch; q++) out.data[p + q * so.c] = Math.fround(res[(y * outW + x) * ch + q] / 255);
      }
    }
  }
  return out;
}
