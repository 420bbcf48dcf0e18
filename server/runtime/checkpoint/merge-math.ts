import type { MergeMode } from './merge-ratios';

/**
 * The merge weights as f32, so this JS path and the WASM kernel compute the same IEEE f32 operations:
 * weighted out = k·a + r·b, add-difference out = a + r·(b − c).
 */
export function f32Weights(r: number): { k: number; r: number } {
  return { k: Math.fround(1 - r), r: Math.fround(r) };
}

/**
 * weighted: (1−r)·A + r·B; add-difference: A + r·(B − C). Written into `a`. Ratios 0 and 1 copy
 * exactly, so a 0-merge is bit-identical to A even where B holds Inf/NaN. Each product and difference
 * is rounded to f32 (a product of two f32 is exact in f64, and f64 -> f32 double rounding of +, −, ×
 * is harmless), so results are bit-identical to the kernel in merge-kernel/.
 */
export function combine(mode: MergeMode, ratio: number, a: Float32Array, b: Float32Array, c?: Float32Array): Float32Array {
  const { k, r } = f32Weights(ratio);
  if (mode === 'weighted') {
    if (ratio === 0) return a;
    if (ratio === 1) {
      a.set(b);
      return a;
    }
    for (let i = 0; i < a.length; i++) a[i] = Math.fround(k * a[i]) + Math.fround(r * b[i]);
    return a;
  }
  if (!c) throw new Error('add-difference needs a third model (C)');
  if (ratio === 0) return a;
  for (let i = 0; i < a.length; i++) {
    const d = Math.fround(b[i] - c[i]);
    // skipping exact zeros keeps A's -0 (−0 + 0 would be +0), so B = C returns A bit for bit
    if (d !== 0) a[i] = a[i] + Math.fround(r * d);
  }
  return a;
}
