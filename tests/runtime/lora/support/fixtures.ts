import type { StateDict, TensorRef } from '../../../../server/runtime/io/tensor';
import { toFloat32 } from '../../../../server/runtime/io/dtype';
import type { WeightProvider } from '../../../../server/runtime/checkpoint/weights';
import type { LoraSource } from '../../../../server/runtime/checkpoint/lora/types';

/** An in-memory fp32 tensor. */
export function f32Ref(name: string, shape: readonly number[], data: Float32Array): TensorRef {
  if (shape.reduce((a, b) => a * b, 1) !== data.length) throw new Error(`${name}: ${data.length} values for [${shape}]`);
  return { name, dtype: 'F32', shape, read: async () => Buffer.from(data.buffer, data.byteOffset, data.byteLength) };
}

/** An in-memory LoRA built by a test. */
export function memoryLora(name: string, tensors: Map<string, { shape: readonly number[]; data: Float32Array }>): LoraSource {
  const dict: StateDict = new Map();
  for (const [k, t] of tensors) dict.set(k, f32Ref(k, t.shape, t.data));
  return { name, identity: `memory:${name}`, metadata: {}, tensors: dict };
}

/** Decode every tensor of a LoRA source to fp32. */
export async function decodeAll(src: LoraSource): Promise<Map<string, { shape: readonly number[]; data: Float32Array }>> {
  const out = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const [k, r] of src.tensors) out.set(k, { shape: r.shape, data: toFloat32(await r.read(), r.dtype) });
  return out;
}

/** A provider over in-memory fp32 tensors. */
export function memoryProvider(id: string, tensors: Record<string, { shape: readonly number[]; data: Float32Array }>): WeightProvider {
  const get = (n: string) => {
    const t = tensors[n];
    if (!t) throw new Error(`no weight ${n}`);
    return t;
  };
  return {
    names: () => Object.keys(tensors),
    has: (n) => n in tensors,
    info: (n) => ({ dtype: 'F32', shape: get(n).shape }),
    fileRange: () => undefined,
    float32: async (n) => get(n).data.slice(),
    identity: (n) => `${id}:${n}`,
  };
}

export { maxAbsDiff } from '../../../helpers/compare';
