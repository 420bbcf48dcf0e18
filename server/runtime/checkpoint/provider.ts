import { toFloat32 } from '../io/dtype';
import type { FileRange, StateDict } from '../io/tensor';
import { CheckpointError } from './errors';
import { kernelToFloat32 } from './merge-kernel/provider';
import type { WeightProvider } from './weights';

/** The plain provider over one state dict; `id` identifies the file version (see fileIdentity). */
export function stateDictProvider(dict: StateDict, id: string): WeightProvider {
  const get = (name: string) => {
    const t = dict.get(name);
    if (!t) throw new CheckpointError(`weight "${name}" not found (provider ${id})`);
    return t;
  };
  return {
    names: () => [...dict.keys()],
    has: (name) => dict.has(name),
    info: (name) => {
      const t = get(name);
      return { dtype: t.dtype, shape: t.shape };
    },
    fileRange: (name): FileRange | undefined => get(name).file,
    float32: async (name) => {
      const t = get(name);
      return (await kernelToFloat32(t)) ?? toFloat32(await t.read(), t.dtype);
    },
    identity: (name) => {
      const t = get(name);
      // the byte range pins the value within the file version; views without one fall back to the name
      const where = t.file ? `@${t.file.offset}+${t.file.length}` : `#${name}`;
      return `${id}${where}:${t.dtype}[${t.shape.join(',')}]`;
    },
  };
}

/** A new state dict holding the tensors under `prefix`, renamed without it. */
export function stripPrefix(dict: StateDict, prefix: string): StateDict {
  const out: StateDict = new Map();
  for (const [k, t] of dict) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), t);
  return out;
}
