/**
 * ComfyUI's ImageQuantize (comfy_extras/nodes_post_processing.py), which goes through Pillow 9: the palette is
 * Pillow's median cut of the 8-bit image (`im.quantize(colors)`, libImaging/Quant.c), then every pixel is mapped to it
 * by `im.quantize(palette=…, dither=…)` (libImaging/Convert.c `topalette`): through Pillow's 64x64x64 colour cache (the
 * nearest entry to the cell's corner, r & ~3 etc., lowest index on ties) over all 256 palette slots — unused slots are
 * black, so near-black pixels can turn pure black — with Pillow's integer Floyd–Steinberg, or ComfyUI's ordered
 * (Bayer) dither added to the pixels first. Reproduced step for step; the distance tie-breaks make the result exact.
 */
import type { FloatTensor } from '../values';

export const QUANTIZE_DITHERS = ['none', 'floyd-steinberg', 'bayer-2', 'bayer-4', 'bayer-8', 'bayer-16'] as const;
export type QuantizeDither = (typeof QUANTIZE_DITHERS)[number];

const MAX_HASH_ENTRIES = 65536;

interface Entry {
  rgb: [number, number, number];
  count: number;
}

interface Box {
  entries: Entry[];
  pixelCount: number;
  l?: Box;
  r?: Box;
}

/** The per-axis min and max of a box's (scaled) colours. */
function bounds(entries: readonly Entry[]): { lo: number[]; hi: number[] } {
  const lo = [255, 255, 255];
  const hi = [0, 0, 0];
  for (const e of entries) {
    for (let k = 0; k < 3; k++) {
      lo[k] = Math.min(lo[k], e.rgb[k]);
      hi[k] = Math.max(hi[k], e.rgb[k]);
    }
  }
  return { lo, hi };
}

const volume = (b: Box): number => {
  if (b.entries.length === 0) return 0;
  const { lo, hi } = bounds(b.entries);
  return (hi[0] - lo[0] + 1) * (hi[1] - lo[1] + 1) * (hi[2] - lo[2] + 1);
};

/** Quant.c split/splitlists: cut along the widest (luminance-weighted) axis where the pixel count passes half. */
function split(node: Box): void {
  const { lo, hi } = bounds(node.entries);
  const f = [(hi[0] - lo[0]) * 77, (hi[1] - lo[1]) * 150, (hi[2] - lo[2]) * 29];
  let axis = 0;
  for (let i = 1; i < 3; i++) if (f[axis] < f[i]) axis = i;
  // the list along the axis, highest value first (the order of equal values does not change the outcome)
  const list = [...node.entries].sort((a, b) => b.rgb[axis] - a.rgb[axis]);
  const right = new Array<boolean>(list.length).fill(false);
  let left = 0;
  let i = 0;
  while (i < list.length) {
    left += list[i].count;
    i++;
    if (left * 2 > node.pixelCount) break;
  }
  if (i < list.length) {
    const v = list[i - 1].rgb[axis];
    while (i < list.length && list[i].rgb[axis] === v) i++;
  }
  for (let j = i; j < list.length; j++) right[j] = true;
  if (i === list.length) {
    // nothing went right: the lowest value goes there
    const v = list[list.length - 1].rgb[axis];
    for (let j = list.length - 1; j >= 0 && list[j].rgb[axis] === v; j--) right[j] = true;
  }
  const l: Box = { entries: [], pixelCount: 0 };
  const r: Box = { entries: [], pixelCount: 0 };
  list.forEach((e, j) => {
    const b = right[j] ? r : l;
    b.entries.push(e);
    b.pixelCount += e.count;
  });
  node.l = l;
  node.r = r;
}

/** QuantHeap: Pillow's binary max-heap on pixelCount (its tie order decides which equal boxes split first). */
class BoxHeap {
  private readonly heap: (Box | undefined)[] = [undefined];
  private count = 0;
  add(v: Box): void {
    let k = ++this.count;
    while (k !== 1) {
      const parent = this.heap[k >> 1] as Box;
      if (v.pixelCount - parent.pixelCount <= 0) break;
      this.heap[k] = parent;
      k >>= 1;
    }
    this.heap[k] = v;
  }
  remove(): Box | undefined {
    if (!this.count) return undefined;
    const top = this.heap[1] as Box;
    const v = this.heap[this.count--] as Box;
    let k = 1;
    for (let l: number; k * 2 <= this.count; k = l) {
      l = k * 2;
      if (l < this.count && (this.heap[l] as Box).pixelCount - (this.heap[l + 1] as Box).pixelCount < 0) l++;
      if (v.pixelCount - (this.heap[l] as Box).pixelCount > 0) break;
      this.heap[k] = this.heap[l];
    }
    this.heap[k] = v;
    return top;
  }
}

/** Pillow's median-cut palette (quantize(colors), method MEDIANCUT, no k-means) of packed RGB bytes: 256 slots. */
export function medianCutPalette(rgb: Uint8Array, colors: number): Uint8Array {
  const n = rgb.length / 3;
  // colours are hashed at the smallest bit shift that keeps at most 65536 of them
  let scale = 0;
  let keys: Map<number, Entry>;
  for (;;) {
    keys = new Map();
    for (let i = 0; i < n; i++) {
      const r = rgb[3 * i] >> scale;
      const g = rgb[3 * i + 1] >> scale;
      const b = rgb[3 * i + 2] >> scale;
      const key = (r << 16) | (g << 8) | b;
      const e = keys.get(key);
      if (e) e.count++;
      else keys.set(key, { rgb: [r, g, b], count: 1 });
    }
    if (keys.size <= MAX_HASH_ENTRIES) break;
    scale++;
  }
  const root: Box = { entries: [...keys.values()], pixelCount: n };
  const heap = new BoxHeap();
  heap.add(root);
  for (let left = colors - 1; left > 0; left--) {
    let node: Box | undefined;
    do node = heap.remove();
    while (node && volume(node) === 1);
    if (!node) break;
    split(node);
    heap.add(node.l as Box);
    heap.add(node.r as Box);
  }
  // palette index per leaf, left (higher values) first
  const boxOf = new Map<number, number>();
  let boxes = 0;
  const annotate = (b: Box) => {
    if (b.l && b.r) {
      annotate(b.l);
      annotate(b.r);
      return;
    }
    for (const e of b.entries) boxOf.set((e.rgb[0] << 16) | (e.rgb[1] << 8) | e.rgb[2], boxes);
    if (b.entries.length) boxes++;
  };
  annotate(root);
  const sum = new Float64Array(boxes * 3);
  const count = new Float64Array(boxes);
  for (let i = 0; i < n; i++) {
    const key = ((rgb[3 * i] >> scale) << 16) | ((rgb[3 * i + 1] >> scale) << 8) | (rgb[3 * i + 2] >> scale);
    const b = boxOf.get(key) as number;
    for (let k = 0; k < 3; k++) sum[3 * b + k] += rgb[3 * i + k];
    count[b]++;
  }
  const palette = new Uint8Array(256 * 3);
  for (let b = 0; b < boxes; b++) for (let k = 0; k < 3; k++) palette[3 * b + k] = Math.trunc(0.5 + sum[3 * b + k] / count[b]);
  return palette;
}

/** Pillow's palette cache: the entry nearest to the cell corner (r & ~3, g & ~3, b & ~3), lowest index on ties. */
class PaletteCache {
  private readonly cache = new Int16Array(64 * 64 * 64).fill(-1);
  constructor(private readonly palette: Uint8Array) {}
  lookup(r: number, g: number, b: number): number {
    const slot = (r >> 2) + (g >> 2) * 64 + (b >> 2) * 4096;
    let best = this.cache[slot];
    if (best >= 0) return best;
    const [cr, cg, cb] = [r & ~3, g & ~3, b & ~3];
    let bestDist = Infinity;
    for (let i = 0; i < 256; i++) {
      const dr = cr - this.palette[3 * i];
      const dg = cg - this.palette[3 * i + 1];
      const db = cb - this.palette[3 * i + 2];
      const d = dr * dr + dg * dg + db * db;
      if (d < bestDist) {
        bestDist = d;
        best = i;
      }
    }
    this.cache[slot] = best;
    return best;
  }
}

const clip8 = (v: number) => (v <= 0 ? 0 : v < 256 ? v : 255);

/** Convert.c topalette with Floyd–Steinberg, its integer error propagation (and row-end quirk) as written. */
function floydSteinberg(rgb: Uint8Array, w: number, h: number, cache: PaletteCache, palette: Uint8Array): Uint8Array {
  const out = new Uint8Array(w * h);
  const errors = new Int32Array((w + 1) * 3);
  for (let y = 0; y < h; y++) {
    const c = [0, 0, 0]; // running error of the current pixel (r, g, b)
    const c0 = [0, 0, 0];
    const c1 = [0, 0, 0];
    let e = 0;
    for (let x = 0; x < w; x++) {
      const p = 3 * (y * w + x);
      for (let k = 0; k < 3; k++) c[k] = clip8(rgb[p + k] + Math.trunc((c[k] + errors[e + 3 + k]) / 16));
      const idx = cache.lookup(c[0], c[1], c[2]);
      out[y * w + x] = idx;
      for (let k = 0; k < 3; k++) {
        let v = c[k] - palette[3 * idx + k];
        const v2 = v;
        const d2 = v + v;
        v += d2;
        errors[e + k] = v + c0[k];
        v += d2;
        c0[k] = v + c1[k];
        c1[k] = v2;
        v += d2;
        c[k] = v;
      }
      e += 3;
    }
    // Pillow stores the blue channel's carries (b0, b1, b2 = b1) in all three row-end slots
    errors[e] = c0[2];
    errors[e + 1] = c1[2];
    errors[e + 2] = c1[2];
  }
  return out;
}

/** ComfyUI's normalized_bayer_matrix(n) in float32, as numpy computes it. */
function bayerMatrix(n: number): Float32Array {
  if (n === 0) return new Float32Array(1);
  const q = 4 ** n;
  const prev = bayerMatrix(n - 1);
  const s = 1 << (n - 1);
  const size = 2 * s;
  const out = new Float32Array(size * size);
  const offsets = [-1.5, 0.5, 1.5, -0.5];
  for (let qy = 0; qy < 2; qy++) {
    for (let qx = 0; qx < 2; qx++) {
      const off = offsets[qy * 2 + qx];
      for (let y = 0; y < s; y++) {
        for (let x = 0; x < s; x++) out[(qy * s + y) * size + qx * s + x] = Math.fround(Math.fround(Math.fround(q * prev[y * s + x]) + off) / q);
      }
    }
  }
  return out;
}

/** ImageQuantize on an NHWC image (RGB): the quantized image, per batch item. */
export function quantizeImage(image: FloatTensor, colors: number, dither: QuantizeDither): FloatTensor {
  const [n, h, w, c] = image.shape;
  if (c !== 3) throw new Error(`ImageQuantize takes RGB images, not ${c} channels`);
  if (!(colors >= 1 && colors <= 256)) throw new Error(`colors must be 1..256, got ${colors}`);
  const out = new Float32Array(image.data.length);
  for (let b = 0; b < n; b++) {
    const base = b * h * w * 3;
    // (image * 255).to(torch.uint8): float32 product, truncated
    const rgb = new Uint8Array(h * w * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = clip8(Math.trunc(Math.fround(image.data[base + i] * 255)));
    const palette = medianCutPalette(rgb, colors);
    const cache = new PaletteCache(palette);
    let indices: Uint8Array;
    if (dither === 'floyd-steinberg') indices = floydSteinberg(rgb, w, h, cache, palette);
    else {
      let src = rgb;
      if (dither !== 'none') {
        // ComfyUI's ordered dither: spread = 2·256 / len(palette) (Pillow reports all 256 slots), then clamp and truncate
        const order = Number(dither.split('-')[1]);
        const m = bayerMatrix(Math.log2(order));
        src = new Uint8Array(rgb.length);
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const t = Math.fround(Math.fround(2 * m[(y % order) * order + (x % order)]) + 0.5);
            for (let k = 0; k < 3; k++) {
              const v = Math.fround(rgb[3 * (y * w + x) + k] + t);
              src[3 * (y * w + x) + k] = Math.trunc(Math.min(Math.max(v, 0), 255));
            }
          }
        }
      }
      indices = new Uint8Array(w * h);
      for (let i = 0; i < w * h; i++) indices[i] = cache.lookup(src[3 * i], src[3 * i + 1], src[3 * i + 2]);
    }
    for (let i = 0; i < w * h; i++) for (let k = 0; k < 3; k++) out[base + 3 * i + k] = Math.fround(palette[3 * indices[i] + k] / 255);
  }
  return { shape: [n, h, w, 3], data: out };
}
