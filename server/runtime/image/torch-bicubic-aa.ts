/**
 * torch.nn.functional.interpolate(mode="bicubic", antialias=True, align_corners=False) on [N, H, W] planes: the
 * separable filter torch shares with PIL (a = −0.5, support widened by the scale when shrinking, weights normalised),
 * width first, then height, in float32 as torch's CPU kernel computes it. ComfyUI's clip_preprocess resizes this way.
 */
const f = Math.fround;
const A = -0.5;

function cubic(x: number): number {
  const t = Math.abs(x);
  if (t < 1) return ((A + 2) * t - (A + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * A;
  return 0;
}

interface Taps {
  start: Int32Array;
  size: Int32Array;
  /** `maxSize` weights per output index */
  weights: Float32Array;
  maxSize: number;
}

function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const support = scale >= 1 ? 2 * scale : 2;
  const invscale = scale >= 1 ? 1 / scale : 1;
  const maxSize = Math.ceil(support) * 2 + 1;
  const t: Taps = { start: new Int32Array(outSize), size: new Int32Array(outSize), weights: new Float32Array(outSize * maxSize), maxSize };
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xsize = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    const w = new Float64Array(xsize);
    for (let j = 0; j < xsize; j++) {
      w[j] = cubic((j + xmin - center + 0.5) * invscale);
      total += w[j];
    }
    t.start[i] = xmin;
    t.size[i] = xsize;
    for (let j = 0; j < xsize; j++) t.weights[i * maxSize + j] = f(total !== 0 ? w[j] / total : 0);
  }
  return t;
}

export function bicubicAaPlanes(data: Float32Array, n: number, h: number, w: number, oh: number, ow: number): Float32Array {
  const tx = taps(w, ow);
  const ty = taps(h, oh);
  const mid = new Float32Array(n * h * ow);
  for (let p = 0; p < n * h; p++) {
    for (let x = 0; x < ow; x++) {
      let acc = 0;
      for (let j = 0; j < tx.size[x]; j++) acc = f(acc + f(tx.weights[x * tx.maxSize + j] * data[p * w + tx.start[x] + j]));
      mid[p * ow + x] = acc;
    }
  }
  const out = new Float32Array(n * oh * ow);
  for (let p = 0; p < n; p++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        let acc = 0;
        for (let j = 0; j < ty.size[y]; j++) acc = f(acc + f(ty.weights[y * ty.maxSize + j] * mid[(p * h + ty.start[y] + j) * ow + x]));
        out[(p * oh + y) * ow + x] = acc;
      }
    }
  }
  return out;
}
