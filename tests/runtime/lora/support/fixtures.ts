import type { StateDict, TensorRef } from '../../../../server/runtime/io/tensor';
import { openSafetensors } from '../../../../server/runtime/io/safetensors';
import { toFloat32 } from '../../../../server/runtime/io/dtype';
import type { WeightProvider } from '../../../../server/runtime/checkpoint/weights';
import type { LoraSource } from '../../../../server/runtime/checkpoint/lora/types';

/**
 * Test-only WeightProvider over a checkpoint prefix (stands in for checkpoint/stateDictProvider until it lands):
 * names relative to `prefix`, values decoded with io/dtype.
 */
export function prefixProvider(dict: StateDict, prefix: string, id: string): WeightProvider {
  const refs = new Map<string, TensorRef>();
  for (const [k, v] of dict) if (k.startsWith(prefix)) refs.set(k.slice(prefix.length), v);
  const get = (name: string) => {
    const r = refs.get(name);
    if (!r) throw new Error(`no weight ${name}`);
    return r;
  };
  return {
    names: () => [...refs.keys()],
    has: (n) => refs.has(n),
    info: (n) => ({ dtype: get(n).dtype, shape: get(n).shape }),
    fileRange: (n) => get(n).file,
    float32: async (n) => toFloat32(await get(n).read(), get(n).dtype),
    identity: (n) => `${id}:${n}`,
  };
}

export async function openCheckpoint(path: string): Promise<StateDict> {
  return (await openSafetensors(path)).tensors;
}

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

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
