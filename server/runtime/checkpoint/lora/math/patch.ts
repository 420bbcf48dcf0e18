import type { Adapter } from '../types';
import { adapterDelta } from './delta';
import { readDense } from './decode';

/** fp32 machine epsilon, added to DoRA norms as ComfyUI does (torch.finfo(float32).eps). */
const F32_EPS = 1.1920928955078125e-7;

/**
 * Apply one adapter in place to `w` (a fp32 copy of the target, possibly a row block), shaped `shape`.
 * Plain adapters: w += strength·scale·delta (ComfyUI LoRAAdapter/LoHa/LoKr calculate_weight).
 * DoRA: ComfyUI weight_decompose — rescale (w + scale·delta) to dora_scale's norms, then blend by strength.
 */
export async function applyAdapter(w: Float32Array, shape: readonly number[], a: Adapter, strength: number): Promise<void> {
  const { delta, scale } = await adapterDelta(a);
  if (delta.length !== w.length) throw new Error(`LoRA module ${a.key}: delta has ${delta.length} values, weight has ${w.length}`);
  if (!a.slots.dora_scale) {
    const k = Math.fround(strength * scale);
    for (let i = 0; i < w.length; i++) w[i] = w[i] + Math.fround(k * delta[i]);
    return;
  }
  const dora = await readDense(a.slots.dora_scale);
  const rows = shape[0];
  const cols = shape[1];
  const inner = w.length / (rows * cols);
  const calc = new Float32Array(w.length);
  const ks = Math.fround(scale);
  for (let i = 0; i < w.length; i++) calc[i] = w[i] + Math.fround(ks * delta[i]);
  const onOutputAxis = dora.shape[0] === rows;
  if (dora.data.length !== (onOutputAxis ? rows : cols)) {
    throw new Error(`LoRA module ${a.key}: dora_scale shape [${dora.shape}] fits neither axis of [${shape}]`);
  }
  // output axis: norm of each row of the ORIGINAL weight; input axis: norm over dim 1 of the combined weight
  const norms = new Float64Array(onOutputAxis ? rows : cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      for (let s = 0; s < inner; s++) {
        const idx = (r * cols + c) * inner + s;
        const v = onOutputAxis ? w[idx] : calc[idx];
        norms[onOutputAxis ? r : c] += v * v;
      }
  const factor = new Float32Array(norms.length);
  for (let i = 0; i < norms.length; i++) factor[i] = dora.data[i] / Math.fround(Math.fround(Math.sqrt(norms[i])) + F32_EPS);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      for (let s = 0; s < inner; s++) {
        const idx = (r * cols + c) * inner + s;
        calc[idx] = calc[idx] * factor[onOutputAxis ? r : c];
      }
  if (strength === 1) w.set(calc);
  else for (let i = 0; i < w.length; i++) w[i] = w[i] + Math.fround(strength * Math.fround(calc[i] - w[i]));
}

/** `.diff_b`: the bias moves by strength·diff (ComfyUI "diff" patch, no alpha). */
export async function applyBiasDiff(b: Float32Array, a: Adapter, strength: number): Promise<void> {
  const diff = await readDense(a.slots.diff_b!);
  if (diff.data.length !== b.length) throw new Error(`LoRA module ${a.key}: diff_b has ${diff.data.length} values, bias has ${b.length}`);
  for (let i = 0; i < b.length; i++) b[i] = b[i] + Math.fround(strength * diff.data[i]);
}
