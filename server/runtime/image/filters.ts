/**
 * ComfyUI's ImageBlur / ImageSharpen filters (comfy_extras/nodes_post_processing.py): a square kernel built by
 * `gaussian_kernel` — note its grid spans −1..1 whatever the radius, so sigma is relative to the radius — applied to
 * each channel of the image padded by reflection (torch "reflect": the edge pixel is not repeated).
 */
import type { FloatTensor } from '../values';
import { torchSum } from './torch-sum';

const f = Math.fround;

/** torch.linspace(-1, 1, n) in float32: from the start for the first half, from the end for the rest. */
function linspace(n: number): Float32Array {
  const out = new Float32Array(n);
  if (n === 1) {
    out[0] = -1;
    return out;
  }
  const step = f(2 / (n - 1));
  const half = Math.floor(n / 2);
  for (let i = 0; i < n; i++) out[i] = i < half ? f(-1 + f(step * i)) : f(1 - f(step * (n - i - 1)));
  return out;
}

/** gaussian_kernel(size, sigma): exp(−d² / 2σ²) over the −1..1 grid, divided by its float32 sum. */
export function gaussianKernel(size: number, sigma: number): Float32Array {
  const t = linspace(size);
  const k = new Float32Array(size * size);
  const s = f(2 * sigma * sigma);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const d = f(Math.sqrt(f(f(t[i] * t[i]) + f(t[j] * t[j]))));
      k[i * size + j] = f(Math.exp(f(-f(d * d) / s)));
    }
  }
  const sum = torchSum(k);
  for (let i = 0; i < k.length; i++) k[i] = f(k[i] / sum);
  return k;
}

/** ImageSharpen's kernel: −10·alpha times the Gaussian, with the centre raised so the weights sum to 1. */
export function sharpenKernel(size: number, sigma: number, alpha: number): Float32Array {
  const k = gaussianKernel(size, sigma).map((v) => v * f(-(alpha * 10)));
  const sum = torchSum(k);
  const c = Math.floor(size / 2) * (size + 1);
  k[c] = f(f(k[c] - sum) + 1);
  return k;
}

/**
 * Each channel of an NHWC image correlated with `kernel` (size x size) over the reflect-padded image, accumulated as
 * torch's CPU convolution does: a fused multiply-add per tap in row-major order (measured bit-identical).
 */
export function filterReflect(image: FloatTensor, kernel: Float32Array, size: number): FloatTensor {
  const [n, h, w, c] = image.shape;
  const r = Math.floor(size / 2);
  if (r >= h || r >= w) throw new Error(`a radius of ${r} needs an image larger than ${r}x${r} pixels, got ${w}x${h}`);
  const reflect = (i: number, len: number) => (i < 0 ? -i : i >= len ? 2 * len - 2 - i : i);
  const xs = Int32Array.from({ length: w + 2 * r }, (_, i) => reflect(i - r, w));
  const ys = Int32Array.from({ length: h + 2 * r }, (_, i) => reflect(i - r, h));
  const out = new Float32Array(image.data.length);
  const src = image.data;
  for (let b = 0; b < n; b++) {
    const base = b * h * w * c;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let i = 0; i < size; i++) {
            const row = base + ys[y + i] * w * c + ch;
            for (let j = 0; j < size; j++) s = f(src[row + xs[x + j] * c] * kernel[i * size + j] + s);
          }
          out[base + (y * w + x) * c + ch] = s;
        }
      }
    }
  }
  return { shape: [n, h, w, c], data: out };
}
