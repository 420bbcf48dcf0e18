/**
 * ComfyUI's tiled_scale (comfy/utils.py tiled_scale_multidim, 2-D): run `fn` on overlapping tiles of each sample
 * and blend the results with linear feathers over the overlap. Same tile positions, the same Python rounding and
 * float32 accumulation, so tiled VAE decode/encode match ComfyUI's.
 */
import type { F32Tensor } from './index';

export interface TileOptions {
  /** tile size in input units, height and width */
  tileY: number;
  tileX: number;
  overlap: number;
  /** output size / input size (8 for a VAE decode, 1/8 for an encode) */
  scale: number;
  outChannels: number;
  /** called after each tile (progress) */
  onTile?: () => void;
}

/** Python's round(): half to even. */
export function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** How many tiles tiledScale runs for one sample (ComfyUI's get_tiled_scale_steps). */
export function tileCount(width: number, height: number, tileX: number, tileY: number, overlap: number): number {
  const rows = height <= tileY ? 1 : Math.ceil((height - overlap) / (tileY - overlap));
  const cols = width <= tileX ? 1 : Math.ceil((width - overlap) / (tileX - overlap));
  return rows * cols;
}

function slice(t: F32Tensor, b: number, y: number, x: number, h: number, w: number): F32Tensor {
  const [, c, H, W] = t.shape;
  const out = new Float32Array(c * h * w);
  for (let k = 0; k < c; k++) {
    for (let r = 0; r < h; r++) {
      const src = ((b * c + k) * H + y + r) * W + x;
      out.set(t.data.subarray(src, src + w), (k * h + r) * w);
    }
  }
  return { shape: [1, c, h, w], data: out };
}

/** Python range(0, stop, step) when size > tile, else [0]. */
function starts(size: number, tile: number, overlap: number): number[] {
  if (size <= tile) return [0];
  const out: number[] = [];
  for (let p = 0; p < size - overlap; p += tile - overlap) out.push(p);
  return out;
}

/** The feather weights along one axis of a tile of `len` outputs (ones where the feather does not fit, as ComfyUI). */
function feather(len: number, width: number): Float32Array {
  const m = new Float32Array(len).fill(1);
  if (width >= len) return m;
  for (let t = 0; t < width; t++) {
    const a = Math.fround((t + 1) / width); // torch casts the Python scalar to float32
    m[t] = Math.fround(m[t] * a);
    m[len - 1 - t] = Math.fround(m[len - 1 - t] * a);
  }
  return m;
}

export async function tiledScale(samples: F32Tensor, fn: (tile: F32Tensor) => Promise<F32Tensor>, o: TileOptions): Promise<F32Tensor> {
  const [B, , H, W] = samples.shape;
  if ((H > o.tileY && o.tileY <= o.overlap) || (W > o.tileX && o.tileX <= o.overlap)) {
    throw new Error(`tiles of ${o.tileX}x${o.tileY} with an overlap of ${o.overlap} never advance`);
  }
  const OH = pyRound(H * o.scale);
  const OW = pyRound(W * o.scale);
  const C = o.outChannels;
  const plane = OH * OW;
  const output = new Float32Array(B * C * plane);
  for (let b = 0; b < B; b++) {
    if (H <= o.tileY && W <= o.tileX) {
      const whole = await fn(slice(samples, b, 0, 0, H, W));
      output.set(whole.data.subarray(0, C * plane), b * C * plane);
      o.onTile?.();
      continue;
    }
    const acc = new Float32Array(C * plane);
    const div = new Float32Array(C * plane);
    for (const sy of starts(H, o.tileY, o.overlap)) {
      for (const sx of starts(W, o.tileX, o.overlap)) {
        const py = Math.max(0, Math.min(H - o.overlap, sy));
        const px = Math.max(0, Math.min(W - o.overlap, sx));
        const ly = Math.min(o.tileY, H - py);
        const lx = Math.min(o.tileX, W - px);
        const ps = await fn(slice(samples, b, py, px, ly, lx));
        const [, pc, th, tw] = ps.shape;
        if (pc !== C) throw new Error(`tiled: a tile came back with ${pc} channels, expected ${C}`);
        const oy = pyRound(py * o.scale);
        const ox = pyRound(px * o.scale);
        const fy = feather(th, pyRound(o.scale * o.overlap));
        const fx = feather(tw, pyRound(o.scale * o.overlap));
        for (let k = 0; k < C; k++) {
          for (let r = 0; r < th && oy + r < OH; r++) {
            for (let q = 0; q < tw && ox + q < OW; q++) {
              const m = Math.fround(fy[r] * fx[q]);
              const i = (k * OH + oy + r) * OW + ox + q;
              acc[i] += Math.fround(ps.data[(k * th + r) * tw + q] * m);
              div[i] += m;
            }
          }
        }
        o.onTile?.();
      }
    }
    const dst = output.subarray(b * C * plane, (b + 1) * C * plane);
    for (let i = 0; i < acc.length; i++) dst[i] = acc[i] / div[i];
  }
  return { shape: [B, C, OH, OW], data: output };
}
