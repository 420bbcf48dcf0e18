/**
 * comfy.utils.tiled_scale (tiled_scale_multidim over H and W) for one image: tiles of `tile` pixels overlapping by
 * `overlap`, each upscaled, feathered over round(scale·overlap) output pixels on every side and blended by the summed
 * weights. Arithmetic is torch's fp32 in the same order, so given the same tile outputs the result is bit-identical.
 */
import type { F32Tensor } from '../index';

export interface TiledScaleOptions {
  tile: number;
  overlap: number;
  scale: number;
  outChannels: number;
  /** after each tile (ComfyUI's pbar.update(1)) */
  onTile?: () => void;
  signal?: AbortSignal;
}

/** Python's round(): halves go to the even neighbour. */
export function pyRound(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** comfy.utils.get_tiled_scale_steps: tiles one image takes. */
export function tiledScaleSteps(width: number, height: number, tile: number, overlap: number): number {
  const rows = height <= tile ? 1 : Math.ceil((height - overlap) / (tile - overlap));
  const cols = width <= tile ? 1 : Math.ceil((width - overlap) / (tile - overlap));
  return rows * cols;
}

/** Tile origins along one side: range(0, size - overlap, tile - overlap) clamped as tiled_scale clamps them. */
export function tileStarts(size: number, tile: number, overlap: number): number[] {
  if (size <= tile) return [0];
  const out: number[] = [];
  for (let it = 0; it < size - overlap; it += tile - overlap) out.push(Math.max(0, Math.min(size - overlap, it)));
  return out;
}

/**
 * Per-row (or column) feather factors of one side of a tile: the multiplications tiled_scale applies, in its order
 * (t = 0..feather-1, each to row t and then to row size-1-t), so a row hit twice is multiplied twice.
 */
export function featherFactors(size: number, feather: number): number[][] {
  const f: number[][] = Array.from({ length: size }, () => []);
  if (feather >= size) return f;
  for (let t = 0; t < feather; t++) {
    const a = Math.fround((t + 1) / feather);
    f[t].push(a);
    f[size - 1 - t].push(a);
  }
  return f;
}

/** x [C, H, W] (one image) → [outChannels, round(H·scale), round(W·scale)]. `run` takes and gives [1, C, h, w]. */
export async function tiledScale(x: F32Tensor, run: (tile: F32Tensor) => Promise<F32Tensor>, o: TiledScaleOptions): Promise<F32Tensor> {
  const [c, h, w] = x.shape;
  const oh = pyRound(h * o.scale);
  const ow = pyRound(w * o.scale);
  const check = (y: F32Tensor, th: number, tw: number) => {
    const want = [1, o.outChannels, pyRound(th * o.scale), pyRound(tw * o.scale)];
    if (y.shape.join() !== want.join())
      throw new Error(`upscale model returned [${y.shape.join(', ')}] for a ${tw}x${th} tile, expected [${want.join(', ')}]`);
  };
  if (h <= o.tile && w <= o.tile) {
    const y = await run({ data: x.data, shape: [1, c, h, w] });
    check(y, h, w);
    o.onTile?.();
    return { data: y.data, shape: [o.outChannels, oh, ow] };
  }
  const plane = oh * ow;
  const out = new Float32Array(o.outChannels * plane);
  const div = new Float32Array(plane);
  const feather = pyRound(o.scale * o.overlap);
  for (const py of tileStarts(h, o.tile, o.overlap)) {
    for (const px of tileStarts(w, o.tile, o.overlap)) {
      if (o.signal?.aborted) throw o.signal.reason instanceof Error ? o.signal.reason : new Error('cancelled');
      const th = Math.min(o.tile, h - py);
      const tw = Math.min(o.tile, w - px);
      const tile = new Float32Array(c * th * tw);
      for (let k = 0; k < c; k++) {
        for (let y = 0; y < th; y++) tile.set(x.data.subarray((k * h + py + y) * w + px, (k * h + py + y) * w + px + tw), (k * th + y) * tw);
      }
      const ps = await run({ data: tile, shape: [1, c, th, tw] });
      check(ps, th, tw);
      const [, , sh, sw] = ps.shape;
      const oy = pyRound(py * o.scale);
      const ox = pyRound(px * o.scale);
      const fy = featherFactors(sh, feather);
      const fx = featherFactors(sw, feather);
      // the mask: ones, multiplied along H first, then along W (torch's loop order over dims)
      const rowMask = fy.map((fs) => fs.reduce((m, a) => Math.fround(m * a), 1));
      for (let y = 0; y < sh; y++) {
        for (let xx = 0; xx < sw; xx++) {
          let m = rowMask[y];
          for (const a of fx[xx]) m = Math.fround(m * a);
          const at = (oy + y) * ow + ox + xx;
          div[at] = div[at] + m;
          for (let k = 0; k < o.outChannels; k++) {
            const i = k * plane + at;
            out[i] = out[i] + Math.fround(ps.data[(k * sh + y) * sw + xx] * m);
          }
        }
      }
      o.onTile?.();
    }
  }
  for (let k = 0; k < o.outChannels; k++) for (let p = 0; p < plane; p++) out[k * plane + p] = out[k * plane + p] / div[p];
  return { data: out, shape: [o.outChannels, oh, ow] };
}
