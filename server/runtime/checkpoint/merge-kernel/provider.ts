import { numel, type TensorRef } from '../../io/tensor';
import type { MergeMode } from '../merge-ratios';
import { f32Weights } from '../merge-math';
import type { WeightProvider } from '../weights';
import { isKernelDType, KernelMerge, type KernelJob, type KernelSource } from './index';

/**
 * A merged tensor through the WASM kernel when every source is stored as-is in a file (an unpatched
 * checkpoint): bit-identical to `combine`, without JS conversions. undefined: use `combine`.
 */
export async function kernelMergeFloat32(
  mode: MergeMode,
  r: number,
  name: string,
  pa: WeightProvider,
  pb: WeightProvider,
  pc?: WeightProvider,
): Promise<Float32Array | undefined> {
  if (r === 0 || (mode === 'weighted' && r === 1)) return undefined; // plain copies: nothing to combine
  const src = (p: WeightProvider | undefined): KernelSource | undefined => {
    const file = p?.fileRange(name);
    const dtype = p?.info(name).dtype;
    return file && dtype && isKernelDType(dtype) ? { file, dtype } : undefined;
  };
  const [a, b, c] = [src(pa), src(pb), src(pc)];
  if (!a || !b || (pc && !c)) return undefined;
  return runToFloat32({ name, mode, ...f32Weights(r), a, b, c, out: 'F32', count: numel(pa.info(name).shape) });
}

/** Below this many elements the JS table conversion is as fast as setting up a kernel job. */
const MIN_KERNEL_ELEMENTS = 1 << 16;

/**
 * A stored F16/BF16 tensor as fp32 through the WASM kernel, read straight from its file (about twice the
 * JS table's rate); undefined where the JS path applies (other dtypes, small or in-memory tensors).
 */
export async function kernelToFloat32(t: TensorRef): Promise<Float32Array | undefined> {
  const count = numel(t.shape);
  if (!t.file || (t.dtype !== 'F16' && t.dtype !== 'BF16') || count < MIN_KERNEL_ELEMENTS) return undefined;
  return runToFloat32({ name: t.name, mode: 'convert', k: 0, r: 0, a: { file: t.file, dtype: t.dtype }, out: 'F32', count });
}

/** One F32-output job with its own file handles, as a fresh Float32Array. */
async function runToFloat32(job: KernelJob): Promise<Float32Array> {
  const kernel = new KernelMerge();
  try {
    const bytes = await kernel.run(job);
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  } finally {
    await kernel.close();
  }
}
