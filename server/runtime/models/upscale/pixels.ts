/** Pre- and post-processing around an upscale graph, on [1, C, H, W] fp32 tensors (spandrel's forward wrappers). */
import type { F32Tensor } from '../index';

/**
 * torch F.pad(x, (0, padW, 0, padH), 'reflect'): mirror the last rows/columns without repeating the edge. Like
 * torch, a pad must be smaller than the side it mirrors.
 */
export function reflectPadTo(x: F32Tensor, multiple: number): F32Tensor {
  const [n, c, h, w] = x.shape;
  const ph = (multiple - (h % multiple)) % multiple;
  const pw = (multiple - (w % multiple)) % multiple;
  if (!ph && !pw) return x;
  if (ph >= h || pw >= w) {
    throw new Error(
      `a ${w}x${h} tile is too small for this model: it reflect-pads to a multiple of ${multiple}, which needs each side larger than its padding (${pw}, ${ph})`,
    );
  }
  const H = h + ph;
  const W = w + pw;
  const out = new Float32Array(n * c * H * W);
  const mirror = (i: number, size: number) => (i < size ? i : 2 * (size - 1) - i);
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < H; y++) {
      const src = (p * h + mirror(y, h)) * w;
      const dst = (p * H + y) * W;
      for (let xx = 0; xx < W; xx++) out[dst + xx] = x.data[src + mirror(xx, w)];
    }
  }
  return { data: out, shape: [n, c, H, W] };
}

/** torch.pixel_unshuffle: [1, C, H, W] → [1, C·r², H/r, W/r], channel c·r² + i·r + j = x[c, y·r + i, x·r + j]. */
export function pixelUnshuffle(x: F32Tensor, r: number): F32Tensor {
  const [n, c, h, w] = x.shape;
  if (h % r || w % r) throw new Error(`pixel unshuffle by ${r} needs a size divisible by it, got ${w}x${h}`);
  const H = h / r;
  const W = w / r;
  const out = new Float32Array(x.data.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < r; j++) {
          const dst = ((b * c + ch) * r * r + i * r + j) * H * W;
          for (let y = 0; y < H; y++) {
            const src = ((b * c + ch) * h + y * r + i) * w + j;
            for (let xx = 0; xx < W; xx++) out[dst + y * W + xx] = x.data[src + xx * r];
          }
        }
      }
    }
  }
  return { data: out, shape: [n, c * r * r, H, W] };
}

/** x[:, :, :h, :w] */
export function cropTo(x: F32Tensor, h: number, w: number): F32Tensor {
  const [n, c, H, W] = x.shape;
  if (H === h && W === w) return x;
  if (H < h || W < w) throw new Error(`model output ${W}x${H} is smaller than the expected ${w}x${h}`);
  const out = new Float32Array(n * c * h * w);
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < h; y++) out.set(x.data.subarray((p * H + y) * W, (p * H + y) * W + w), (p * h + y) * w);
  }
  return { data: out, shape: [n, c, h, w] };
}

/**
 * spandrel's pad_tensor for SizeRequirements(minimum, multiple_of), as its model descriptor applies it before the
 * model: each side grown at bottom/right to max(side, minimum) rounded up to the multiple, by reflection up to side-1
 * pixels and edge replication beyond (the model's own padding comes after).
 */
export function padToRequirements(x: F32Tensor, minimum: number, multipleOf: number): F32Tensor {
  const [n, c, h, w] = x.shape;
  const ceilTo = (v: number) => Math.ceil(v / multipleOf) * multipleOf;
  const H = ceilTo(Math.max(h, minimum));
  const W = ceilTo(Math.max(w, minimum));
  if (H === h && W === w) return x;
  const at = (i: number, size: number, pad: number) => {
    const rp = Math.min(pad, size - 1);
    if (i < size) return i;
    if (i < size + rp) return 2 * (size - 1) - i;
    return size - 1 - rp;
  };
  const out = new Float32Array(n * c * H * W);
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < H; y++) {
      const src = (p * h + at(y, h, H - h)) * w;
      const dst = (p * H + y) * W;
      for (let xx = 0; xx < W; xx++) out[dst + xx] = x.data[src + at(xx, w, W - w)];
    }
  }
  return { data: out, shape: [n, c, H, W] };
}
