/** Tensor helpers shared by the ControlNet and T2I-Adapter sampler paths (layouts, hint batches, strength). */
import type { F32Tensor } from '../models';

const f = Math.fround;

/** NHWC image → NCHW tensor. */
export function toNchw(img: { shape: readonly number[]; data: Float32Array }): F32Tensor {
  const [b, h, w, c] = img.shape;
  const out = new Float32Array(img.data.length);
  for (let n = 0; n < b; n++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[((n * c + k) * h + y) * w + x] = img.data[((n * h + y) * w + x) * c + k];
  return { data: out, shape: [b, c, h, w] };
}

/** broadcast_image_to: a hint batch spread over `rows` rows made of `chunks` equal passes. */
export function broadcastHint(hint: F32Tensor, rows: number, chunks: number): F32Tensor {
  const n = hint.shape[0];
  if (n === 1 || n === rows) return hint;
  const per = Math.floor(rows / chunks);
  const size = hint.data.length / n;
  const pick = Array.from({ length: per }, (_, i) => i % Math.min(n, per));
  const order = pick.length === rows ? pick : Array.from({ length: chunks }, () => pick).flat();
  const out = new Float32Array(order.length * size);
  order.forEach((r, i) => out.set(hint.data.subarray(r * size, (r + 1) * size), i * size));
  return { data: out, shape: [order.length, ...hint.shape.slice(1)] };
}

/** x *= strength (global average pooling first for *_shuffle files), float32 as torch. */
export function scaled(t: F32Tensor, strength: number, pool: boolean): F32Tensor {
  let data = t.data;
  if (pool) {
    const [b, c, h, w] = t.shape;
    const plane = h * w;
    data = new Float32Array(t.data.length);
    for (let p = 0; p < b * c; p++) {
      let s = 0;
      for (let i = 0; i < plane; i++) s += t.data[p * plane + i];
      data.fill(f(s / plane), p * plane, (p + 1) * plane);
    }
  }
  const k = f(strength);
  return { data: Float32Array.from(data, (v) => v * k), shape: t.shape };
}
