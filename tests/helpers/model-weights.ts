import { openSafetensors } from '../../server/runtime/io/safetensors';
import { toFloat32 } from '../../server/runtime/io/dtype';
import type { StateDict } from '../../server/runtime/io/tensor';
import type { WeightProvider } from '../../server/runtime/checkpoint/weights';

/**
 * Test-only WeightProvider over one component of a checkpoint file: names are the file's keys
 * with `prefix` stripped (the checkpoint loader's provider does this in production).
 */
export async function fileComponent(path: string, prefix: string): Promise<WeightProvider> {
  const file = await openSafetensors(path);
  const dict: StateDict = new Map();
  for (const [name, ref] of file.tensors) if (name.startsWith(prefix)) dict.set(name.slice(prefix.length), ref);
  return dictProvider(dict, path);
}

export function dictProvider(dict: StateDict, id: string): WeightProvider {
  const ref = (name: string) => {
    const r = dict.get(name);
    if (!r) throw new Error(`no tensor ${name}`);
    return r;
  };
  return {
    names: () => [...dict.keys()],
    has: (name) => dict.has(name),
    info: (name) => ({ dtype: ref(name).dtype, shape: ref(name).shape }),
    fileRange: (name) => ref(name).file,
    float32: async (name) => {
      const r = ref(name);
      return toFloat32(await r.read(), r.dtype);
    },
    identity: (name) => `${id}#${name}`,
  };
}

/** In-memory fp32 weights (random-weight models built by tests). */
export function memoryProvider(tensors: Map<string, { shape: number[]; data: Float32Array }>, id: string): WeightProvider {
  const t = (name: string) => {
    const v = tensors.get(name);
    if (!v) throw new Error(`no tensor ${name}`);
    return v;
  };
  return {
    names: () => [...tensors.keys()],
    has: (name) => tensors.has(name),
    info: (name) => ({ dtype: 'F32', shape: t(name).shape }),
    fileRange: () => undefined,
    float32: async (name) => t(name).data,
    identity: (name) => `${id}#${name}`,
  };
}
