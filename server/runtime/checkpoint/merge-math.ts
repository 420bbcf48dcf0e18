import type { MergeMode } from './merge-ratios';

/**
 * weighted: (1−r)·A + r·B; add-difference: A + r·(B − C). Written into `a`. Ratios 0 and 1 copy
 * exactly, so a 0-merge is bit-identical to A even where B holds Inf/NaN.
 */
export function combine(mode: MergeMode, r: number, a: Float32Array, b: Float32Array, c?: Float32Array): Float32Array {
  if (mode === 'weighted') {
    if (r === 0) return a;
    if (r === 1) {
      a.set(b);
      return a;
    }
    const k = 1 - r;
    for (let i = 0; i < a.length; i++) a[i] = k * a[i] + r * b[i];
    return a;
  }
  if (!c) throw new Error('add-difference needs a third model (C)');
  if (r === 0) return a;
  for (let i = 0; i < a.length; i++) {
    const d = b[i] - c[i];
    // skipping exact zeros keeps A's -0 (−0 + 0 would be +0), so B = C returns A bit for bit
    if (d !== 0) a[i] = a[i] + r * d;
  }
  return a;
}
