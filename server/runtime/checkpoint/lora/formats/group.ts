import type { TensorRef } from '../../../io/tensor';
import type { LoraModule, LoraNaming, LoraSlot, LoraSource } from '../types';
import { matchSuffix } from './suffixes';

export interface GroupedLora {
  /** modules in the file's key order */
  readonly modules: LoraModule[];
  /** keys whose role is unknown */
  readonly unknownKeys: string[];
}

/** Split every key into (module, role); a role given twice for one module is an error. */
export function groupModules(source: LoraSource): GroupedLora {
  const slots = new Map<string, Partial<Record<LoraSlot, TensorRef>>>();
  const namings = new Map<string, Set<LoraNaming>>();
  const unknownKeys: string[] = [];
  for (const [key, ref] of [...source.tensors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const m = matchSuffix(key);
    if (!m) {
      unknownKeys.push(key);
      continue;
    }
    let s = slots.get(m.module);
    if (!s) {
      s = {};
      slots.set(m.module, s);
      namings.set(m.module, new Set());
    }
    if (s[m.rule.slot]) {
      throw new Error(`LoRA "${source.name}": module ${m.module} has two "${m.rule.slot}" tensors (${s[m.rule.slot]!.name}, ${key})`);
    }
    s[m.rule.slot] = ref;
    if (m.rule.naming) namings.get(m.module)!.add(m.rule.naming);
  }
  const modules = [...slots].map(([key, s]) => ({ key, slots: s, naming: namings.get(key)! }));
  return { modules, unknownKeys };
}
