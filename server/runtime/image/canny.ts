/**
 * kornia.filters.canny (kornia 0.7.1, as ComfyUI's Canny node calls it: 5x5 Gaussian, sigma 1, hysteresis on):
 * grey = 0.299 R + 0.587 G + 0.114 B; a separable Gaussian blur with reflected borders; Sobel gradients with
 * replicated borders; magnitude sqrt(gx² + gy² + 1e-6); non-maximum suppression along the gradient direction rounded to
 * 45°; thresholds; then weak edges joined to strong ones through 8-neighbours (kornia iterates a 3x3 convolution to
 * that fixed point; a flood fill reaches the same set in one pass). Float32 arithmetic as torch's.
 */
import type { FloatTensor } from '../values';
import { torchSum } from './torch-sum';

const f = Math.fround;

/** kornia gaussian(5, sigma): exp(−x² / 2σ²) normalised by its float32 sum. */
function gaussianKernel(size: number, sigma: number): Float32Array {
  const k = new Float32Array(size);
  const s2 = f(2 * f(sigma * sigma));
  for (let i = 0; i < size; i++) {
    const x = i - Math.floor(size / 2);
    k[i] = f(Math.exp(f(-f(x * x) / s2)));
  }
  const sum = torchSum(k);
  for (let i = 0; i < size; i++) k[i] = f(k[i] / sum);
  return k;
}

/** torch reflect padding index (mirror without repeating the edge). */
const reflect = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
const clamp = (i: number, n: number) => (i < 0 ? 0 : i >= n ? n - 1 : i);

/** One grey [h, w] plane → its Canny edges (0 or 1). */
function cannyPlane(grey: Float32Array, h: number, w: number, low: number, high: number): Uint8Array {
  const k = gaussianKernel(5, 1);
  // torch's CPU convolution: one fused multiply-add per tap (a·b + c rounded once; a·b of floats is exact in a double)
  const tmp = new Float32Array(h * w);
  const blur = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let j = 0; j < 5; j++) s = f(grey[y * w + reflect(x + j - 2, w)] * k[j] + s);
      tmp[y * w + x] = s;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let j = 0; j < 5; j++) s = f(tmp[reflect(y + j - 2, h) * w + x] * k[j] + s);
      blur[y * w + x] = s;
    }
  }
  const mag = new Float32Array(h * w);
  const dir = new Int8Array(h * w);
  const at = (y: number, x: number) => blur[clamp(y, h) * w + clamp(x, w)];
  const eps = f(1e-6);
  const toOctant = f(4 / Math.PI);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Sobel, correlation order of the 3x3 taps, rows top to bottom
      const a = at(y - 1, x - 1),
        b = at(y - 1, x),
        c = at(y - 1, x + 1);
      const d = at(y, x - 1),
        e = at(y, x + 1);
      const g = at(y + 1, x - 1),
        hh = at(y + 1, x),
        i = at(y + 1, x + 1);
      const gx = f(f(f(f(f(-a + c) - f(2 * d)) + f(2 * e)) - g) + i);
      const gy = f(f(f(f(f(-a - f(2 * b)) - c) + g) + f(2 * hh)) + i);
      mag[y * w + x] = f(Math.sqrt(f(f(f(gx * gx) + f(gy * gy)) + eps)));
      const q = f(f(Math.atan2(gy, gx)) * toOctant);
      // torch.round: halves to even
      let r = Math.round(q);
      if (Math.abs(q % 1) === 0.5 && r % 2 !== 0) r -= 1;
      dir[y * w + x] = ((r % 8) + 8) % 8;
    }
  }
  // neighbour offsets of kornia's eight NMS kernels (direction k compares with this neighbour)
  const DX = [1, 1, 0, -1, -1, -1, 0, 1];
  const DY = [0, 1, 1, 1, 0, -1, -1, -1];
  const m = (y: number, x: number) => (y < 0 || y >= h || x < 0 || x >= w ? 0 : mag[y * w + x]);
  const lo = f(low);
  const hi = f(high);
  const edges = new Uint8Array(h * w); // 0 none, 1 weak, 2 strong
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = mag[y * w + x];
      const p = dir[y * w + x];
      const n = (p + 4) % 8;
      const isMax = Math.min(f(v - m(y + DY[p], x + DX[p])), f(v - m(y + DY[n], x + DX[n]))) > 0;
      if (!isMax) continue;
      if (v > hi) edges[y * w + x] = 2;
      else if (v > lo) edges[y * w + x] = 1;
    }
  }
  const out = new Uint8Array(h * w);
  const stack: number[] = [];
  for (let i = 0; i < h * w; i++) {
    if (edges[i] === 2) {
      out[i] = 1;
      stack.push(i);
    }
  }
  while (stack.length) {
    const i = stack.pop() as number;
    const y = Math.floor(i / w);
    const x = i - y * w;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const yy = y + dy;
        const xx = x + dx;
        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        const j = yy * w + xx;
        if (edges[j] === 1 && !out[j]) {
          out[j] = 1;
          stack.push(j);
        }
      }
    }
  }
  return out;
}

/** Canny edges of an NHWC image (3 channels, or 1 grey) as an NHWC image of 0/1 in three channels. */
export function canny(image: FloatTensor, low: number, high: number): FloatTensor {
  const [n, h, w, c] = image.shape;
  if (c !== 3 && c !== 1) throw new Error(`Canny takes RGB or grey images, not ${c} channels`);
  if (h < 3 || w < 3) throw new Error(`Canny needs an image of at least 3x3 pixels, got ${w}x${h}`);
  if (!(low > 0 && low < 1 && high > 0 && high < 1 && low <= high))
    throw new Error(`thresholds must satisfy 0 < low ≤ high < 1, got ${low} and ${high}`);
  const wr = f(0.299),
    wg = f(0.587),
    wb = f(0.114);
  const out = new Float32Array(n * h * w * 3);
  const grey = new Float32Array(h * w);
  for (let b = 0; b < n; b++) {
    const base = b * h * w * c;
    for (let i = 0; i < h * w; i++) {
      const p = base + i * c;
      grey[i] = c === 1 ? image.data[p] : f(f(f(wr * image.data[p]) + f(wg * image.data[p + 1])) + f(wb * image.data[p + 2]));
    }
    const e = cannyPlane(grey, h, w, low, high);
    for (let i = 0; i < h * w; i++) out[(b * h * w + i) * 3] = out[(b * h * w + i) * 3 + 1] = out[(b * h * w + i) * 3 + 2] = e[i];
  }
  return { shape: [n, h, w, 3], data: out };
}
