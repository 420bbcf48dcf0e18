import type { TensorRef } from '../../../io/tensor';
import { toFloat32 } from '../../../io/dtype';
import type { Dense } from './dense';

const FLOAT_DTYPES = new Set<TensorRef['dtype']>(['F16', 'BF16', 'F32', 'F64']);

export async function readDense(ref: TensorRef): Promise<Dense> {
  if (!FLOAT_DTYPES.has(ref.dtype)) throw new Error(`LoRA tensor ${ref.name}: dtype ${ref.dtype} is not a float type`);
  return { data: toFloat32(await ref.read(), ref.dtype), shape: ref.shape };
}

export async function readScalar(ref: TensorRef): Promise<number> {
  const t = await readDense(ref);
  if (t.data.length !== 1) throw new Error(`LoRA tensor ${ref.name}: expected a scalar, got shape [${ref.shape}]`);
  return t.data[0];
}
