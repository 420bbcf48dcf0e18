/**
 * torch.nn.functional.interpolate(x, size=(h, w), mode=…) on CPU float32, as ComfyUI calls it (size given, no
 * scale_factor, align_corners False, antialias False): nearest-exact, bilinear, bicubic (A = −0.75, taps clamped at
 * the borders) and area (adaptive average pooling). Indices, weights and sums follow ATen's kernels
 * (UpSample.h, UpSampleKernel.cpp, AdaptiveAvgPoolKernel.cpp) step by step in float32, including where torch's x86
 * build fuses multiply-adds; measured bit-identical to torch 1.13 on latents and images (tests/runtime/image).
 */
import type { FloatTensor } from '../values';
import { dimsOf, emptyTensor, planeOffset, stridesOf, type Dims, type Layout } from './layout';

export type InterpolateMode = 'nearest-exact' | 'bilinear' | 'bicubic' | 'area';

const f = Math.fround;

/** ATen compute_scales_value without a scale factor: input / output in float. */
const scaleOf = (inSize: number, outSize: number): number => f(inSize / outSize);

/**
 * ATen area_pixel_compute_source_index, align_corners False: the float scale times (dst + 0.5) in double; torch
 * 1.13 keeps this index unrounded until the fractional part is taken (measured: every weight then matches).
 */
function sourceIndex(scale: number, dst: number, cubic: boolean): number {
  const src = scale * (dst + 0.5) - 0.5;
  return !cubic && src < 0 ? 0 : src;
}

/** Per output index: `taps` source indices and float32 weights. */
export interface Taps {
  taps: number;
  index: Int32Array;
  weight: Float32Array;
}

export function nearestExactTaps(inSize: number, outSize: number): Taps {
  const scale = scaleOf(inSize, outSize);
  const index = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) index[o] = Math.min(Math.floor(f((o + 0.5) * scale)), inSize - 1);
  return { taps: 1, index, weight: new Float32Array(outSize).fill(1) };
}

/** ATen compute_source_index_and_lambda (align_corners False). */
export function linearTaps(inSize: number, outSize: number): Taps {
  const index = new Int32Array(outSize * 2);
  const weight = new Float32Array(outSize * 2);
  const scale = scaleOf(inSize, outSize);
  for (let o = 0; o < outSize; o++) {
    if (inSize === outSize) {
      index[2 * o] = index[2 * o + 1] = o;
      weight[2 * o] = 1;
      continue;
    }
    const real = sourceIndex(scale, o, false);
    const i0 = Math.floor(real);
    const l1 = f(real - i0);
    index[2 * o] = i0;
    index[2 * o + 1] = i0 + (i0 < inSize - 1 ? 1 : 0);
    weight[2 * o] = f(1 - l1);
    weight[2 * o + 1] = l1;
  }
  return { taps: 2, index, weight };
}

const A = -0.75;
/** a·b + c rounded once to float32 (a·b of two floats is exact in a double). */
const fma = (a: number, b: number, c: number) => f(a * b + c);
/**
 * ATen cubic_convolution1 / cubic_convolution2 in float32, with the multiply-adds the compiler fused in torch's x86
 * build (found by matching torch 1.13's weights on every interior tap of several sizes).
 */
const cubic1 = (x: number) => f(f(f(fma(A + 2, x, -(A + 3)) * x) * x) + 1);
const cubic2 = (x: number) => f(f(fma(fma(A, x, -5 * A), x, 8 * A) * x) - 4 * A);

export function cubicTaps(inSize: number, outSize: number): Taps {
  const index = new Int32Array(outSize * 4);
  const weight = new Float32Array(outSize * 4);
  const scale = scaleOf(inSize, outSize);
  for (let o = 0; o < outSize; o++) {
    // torch floors the index through floorf (a float) but takes the fraction from the unrounded index, so a
    // fraction can come out a hair below zero next to an integer
    const real = sourceIndex(scale, o, true);
    const i = Math.floor(f(real));
    const t = f(real - i);
    const t2 = f(1 - t);
    weight.set([cubic2(f(t + 1)), cubic1(t), cubic1(t2), cubic2(f(t2 + 1))], 4 * o);
    for (let k = 0; k < 4; k++) index[4 * o + k] = Math.min(Math.max(i - 1 + k, 0), inSize - 1);
  }
  return { taps: 4, index, weight };
}

/**
 * Separable resampling: along W into a float32 row buffer, then along H, each pass as torch's compiled kernel sums
 * its taps: t1·w1 rounded, then fused multiply-adds t0·w0 + acc, t2·w2 + acc, t3·w3 + acc (a product of two floats
 * is exact in a double, so `f(a * b + c)` is a fused multiply-add). Bit-identical to torch 1.13 on multi-channel
 * NCHW tensors and on images (measured).
 */
function separable(src: FloatTensor, layout: Layout, d: Dims, outH: number, outW: number, tx: Taps, ty: Taps): FloatTensor {
  const si = stridesOf(d, layout);
  const od: Dims = { ...d, h: outH, w: outW };
  const out = emptyTensor(od, layout);
  const so = stridesOf(od, layout);
  const tmp = new Float32Array(d.h * outW);
  const x = src.data;
  const y = out.data;
  const nx = tx.taps;
  const ny = ty.taps;
  for (let n = 0; n < d.n; n++) {
    for (let c = 0; c < d.c; c++) {
      const ib = planeOffset(si, n, c);
      for (let r = 0; r < d.h; r++) {
        const rb = ib + r * si.h;
        const tb = r * outW;
        for (let ox = 0; ox < outW; ox++) {
          const k0 = ox * nx;
          let acc = nx === 1 ? 0 : f(x[rb + tx.index[k0 + 1] * si.w] * tx.weight[k0 + 1]);
          acc = f(x[rb + tx.index[k0] * si.w] * tx.weight[k0] + acc);
          for (let k = 2; k < nx; k++) acc = f(x[rb + tx.index[k0 + k] * si.w] * tx.weight[k0 + k] + acc);
          tmp[tb + ox] = acc;
        }
      }
      const ob = planeOffset(so, n, c);
      for (let oy = 0; oy < outH; oy++) {
        const k0 = oy * ny;
        const orow = ob + oy * so.h;
        for (let ox = 0; ox < outW; ox++) {
          let acc = ny === 1 ? 0 : f(tmp[ty.index[k0 + 1] * outW + ox] * ty.weight[k0 + 1]);
          acc = f(tmp[ty.index[k0] * outW + ox] * ty.weight[k0] + acc);
          for (let k = 2; k < ny; k++) acc = f(tmp[ty.index[k0 + k] * outW + ox] * ty.weight[k0 + k] + acc);
          y[orow + ox * so.w] = acc;
        }
      }
    }
  }
  return out;
}

/** nearest-exact: a gather. */
function nearest(src: FloatTensor, layout: Layout, d: Dims, outH: number, outW: number): FloatTensor {
  const si = stridesOf(d, layout);
  const od: Dims = { ...d, h: outH, w: outW };
  const out = emptyTensor(od, layout);
  const so = stridesOf(od, layout);
  const ix = nearestExactTaps(d.w, outW).index;
  const iy = nearestExactTaps(d.h, outH).index;
  for (let n = 0; n < d.n; n++) {
    for (let c = 0; c < d.c; c++) {
      const ib = planeOffset(si, n, c);
      const ob = planeOffset(so, n, c);
      for (let oy = 0; oy < outH; oy++) {
        const rb = ib + iy[oy] * si.h;
        const orow = ob + oy * so.h;
        for (let ox = 0; ox < outW; ox++) out.data[orow + ox * so.w] = src.data[rb + ix[ox] * si.w];
      }
    }
  }
  return out;
}

/**
 * Bilinear on a channels-last tensor (an IMAGE moved to NCHW is channels-last in memory): ATen's
 * cpu_upsample_linear_channels_last multiplies the two lambdas first (float) and sums the four weighted corners; for
 * fewer than 8 channels its scalar loop rounds the sum once (measured bit-identical on 3-channel images).
 */
function bilinearChannelsLast(src: FloatTensor, d: Dims, outH: number, outW: number): FloatTensor {
  const si = stridesOf(d, 'nhwc');
  const od: Dims = { ...d, h: outH, w: outW };
  const out = emptyTensor(od, 'nhwc');
  const so = stridesOf(od, 'nhwc');
  const tx = linearTaps(d.w, outW);
  const ty = linearTaps(d.h, outH);
  const x = src.data;
  for (let n = 0; n < d.n; n++) {
    for (let oy = 0; oy < outH; oy++) {
      const h0 = ty.weight[2 * oy];
      const h1 = ty.weight[2 * oy + 1];
      const r0 = n * si.n + ty.index[2 * oy] * si.h;
      const r1 = n * si.n + ty.index[2 * oy + 1] * si.h;
      for (let ox = 0; ox < outW; ox++) {
        const w0 = tx.weight[2 * ox];
        const w1 = tx.weight[2 * ox + 1];
        const w00 = f(h0 * w0);
        const w01 = f(h0 * w1);
        const w10 = f(h1 * w0);
        const w11 = f(h1 * w1);
        const c0 = tx.index[2 * ox] * si.w;
        const c1 = tx.index[2 * ox + 1] * si.w;
        const o = n * so.n + oy * so.h + ox * so.w;
        for (let c = 0; c < d.c; c++) {
          out.data[o + c] = x[r0 + c0 + c] * w00 + x[r0 + c1 + c] * w01 + x[r1 + c0 + c] * w10 + x[r1 + c1 + c] * w11;
        }
      }
    }
  }
  return out;
}

/** adaptive_avg_pool2d: windows [floor(i·in/out), ceil((i+1)·in/out)), float32 sum, then / kh / kw. */
function area(src: FloatTensor, layout: Layout, d: Dims, outH: number, outW: number): FloatTensor {
  const si = stridesOf(d, layout);
  const od: Dims = { ...d, h: outH, w: outW };
  const out = emptyTensor(od, layout);
  const so = stridesOf(od, layout);
  const windows = (inS: number, outS: number) => {
    const lo = new Int32Array(outS);
    const hi = new Int32Array(outS);
    for (let i = 0; i < outS; i++) {
      lo[i] = Math.floor((i * inS) / outS);
      hi[i] = Math.ceil(((i + 1) * inS) / outS);
    }
    return [lo, hi];
  };
  const [hs0, he0] = windows(d.h, outH);
  const [ws0, we0] = windows(d.w, outW);
  for (let n = 0; n < d.n; n++) {
    for (let c = 0; c < d.c; c++) {
      const ib = planeOffset(si, n, c);
      const ob = planeOffset(so, n, c);
      for (let oy = 0; oy < outH; oy++) {
        const hs = hs0[oy];
        const he = he0[oy];
        for (let ox = 0; ox < outW; ox++) {
          const ws = ws0[ox];
          const we = we0[ox];
          let sum = 0;
          for (let iy = hs; iy < he; iy++) {
            const rb = ib + iy * si.h;
            for (let ix = ws; ix < we; ix++) sum = f(sum + src.data[rb + ix * si.w]);
          }
          out.data[ob + oy * so.h + ox * so.w] = f(f(sum / (he - hs)) / (we - ws));
        }
      }
    }
  }
  return out;
}

/**
 * F.interpolate(x, size=(outH, outW), mode) for a 4-D tensor in either layout; the result keeps the layout.
 * `strided`: the NHWC data stands for a torch view that is not channels-last contiguous (an image after
 * common_upscale's centre crop), for which torch's bilinear takes its generic kernel instead.
 */
export function interpolate(src: FloatTensor, layout: Layout, outH: number, outW: number, mode: InterpolateMode, strided = false): FloatTensor {
  const d = dimsOf(src, layout);
  if (d.h < 1 || d.w < 1 || outH < 1 || outW < 1) {
    throw new Error(`cannot resize ${d.w}x${d.h} to ${outW}x${outH}: both sizes must be at least 1x1`);
  }
  switch (mode) {
    case 'nearest-exact':
      return nearest(src, layout, d, outH, outW);
    case 'bilinear':
      // a one-channel NCHW tensor is channels-last contiguous too, and torch takes that kernel for it
      if ((layout === 'nhwc' && !strided) || (layout === 'nchw' && d.c === 1)) {
        const out = bilinearChannelsLast({ shape: [d.n, d.h, d.w, d.c], data: src.data }, d, outH, outW);
        return layout === 'nhwc' ? out : { shape: [d.n, d.c, outH, outW], data: out.data };
      }
      return separable(src, layout, d, outH, outW, linearTaps(d.w, outW), linearTaps(d.h, outH));
    case 'bicubic':
      return separable(src, layout, d, outH, outW, cubicTaps(d.w, outW), cubicTaps(d.h, outH));
    case 'area':
      return area(src, layout, d, outH, outW);
  }
}
