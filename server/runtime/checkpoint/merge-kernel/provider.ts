import { numel } from '../../io/tensor';
import type { MergeMode } from '../merge-ratios';
import { f32Weights } from '../merge-math';
import type { WeightProvider } from '../weights';
import { isKernelDType, KernelMerge, type KernelSource } from './index';

/**
 * A merged tensor through the WASM kernel when every source is stored as-is in a file (an unpatched
 * checkpoint): bit-identical to `combine`, without JS conversions. undefined: use `combine`.
 */
export async function kernelMergeFloat32(
  mode: MergeMode, r: number, name: string, pa: WeightProvider, pb: WeightProvider, pc?: WeightProvider,
): Promise<Float32Array | undefined> {
  if (r === 0 || (mode === 'weighted' && r === 1)) return undefined; // plain copies: nothing to combine
  const src = (p: WeightProvider | undefined): KernelSource | undefined => {
    const file = p?.fileRange(name);
    const dtype = p?.info(name).dtype;
    return file && dtype && isKernelDType(dtype) ? { file, dtype } : undefined;
  };
  const [a, b, c] = [src(pa), src(pb), src(pc)];
  if (!a || !b || (pc && !c)) return undefined;
  const kernel = new KernelMerge();
  try {
    const bytes = await kernel.run({ name, mode, ...f32Weights(r), a, b, c, out: 'F32', count: numel(pa.info(name).shape) });
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  } finally {
    await kernel.close();
  }
}
