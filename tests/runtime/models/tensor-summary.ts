/**
 * A few numbers that stand for a whole tensor, so a test can check a result against a reference too large to
 * keep in the repo: the mean, max |x|, RMS, a weighted checksum, and values at fixed probe positions (the corners
 * and the centre of every channel plane: the last row and column are where odd-size bugs show).
 */
export interface Summary {
  shape: number[];
  mean: number;
  maxAbs: number;
  rms: number;
  /** Σ x[i]·sin(i + 1) */
  checksum: number;
  /** values at `probes(shape, layout)` */
  at: number[];
}

/** NCHW: latents [B,C,H,W]; NHWC: ComfyUI IMAGE [B,H,W,C]. Batch item 0 only. */
export type Layout = 'NCHW' | 'NHWC';

export function probes(shape: readonly number[], layout: Layout): number[] {
  const [, a, b, c] = shape;
  const [ch, h, w] = layout === 'NCHW' ? [a, b, c] : [c, a, b];
  const points: [number, number][] = [
    [0, 0],
    [h - 1, w - 1],
    [h - 1, 0],
    [0, w - 1],
    [h >> 1, w >> 1],
  ];
  const out: number[] = [];
  for (let k = 0; k < ch; k++) {
    for (const [y, x] of points) out.push(layout === 'NCHW' ? (k * h + y) * w + x : (y * w + x) * ch + k);
  }
  return out;
}

export function summarize(t: { data: ArrayLike<number>; shape: readonly number[] }, layout: Layout): Summary {
  let sum = 0;
  let sq = 0;
  let max = 0;
  let checksum = 0;
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    sum += v;
    sq += v * v;
    max = Math.max(max, Math.abs(v));
    checksum += v * Math.sin(i + 1);
  }
  const n = t.data.length;
  return { shape: [...t.shape], mean: sum / n, maxAbs: max, rms: Math.sqrt(sq / n), checksum, at: probes(t.shape, layout).map((i) => t.data[i]) };
}

/** Σ |sin(i + 1)|: the checksum's worst-case gain, to put its error on the scale of one element's. */
function checksumGain(n: number): number {
  let g = 0;
  for (let i = 0; i < n; i++) g += Math.abs(Math.sin(i + 1));
  return g;
}

/**
 * Largest deviation of `got` from `ref`, relative to ref's max |x|: every field is scaled so that a tensor within
 * e·max|ref| of the reference element-wise scores at most e. Shapes must match.
 */
export function summaryError(got: Summary, ref: Summary): number {
  if (got.shape.join() !== ref.shape.join()) throw new Error(`shape [${got.shape.join(', ')}] vs reference [${ref.shape.join(', ')}]`);
  const n = ref.shape.reduce((a, b) => a * b, 1);
  const errs = [
    Math.abs(got.mean - ref.mean),
    Math.abs(got.maxAbs - ref.maxAbs),
    Math.abs(got.rms - ref.rms),
    Math.abs(got.checksum - ref.checksum) / checksumGain(n),
    ...ref.at.map((v, i) => Math.abs(got.at[i] - v)),
  ];
  return Math.max(...errs) / ref.maxAbs;
}
