/** Reading configuration from a state dict's names and shapes (spandrel's get_seq_len and friends). */
import type { StateDict } from '../../io/tensor';

/** 1 + the largest i such that some key starts with `${prefix}.${i}.` (0 when none): spandrel's get_seq_len. */
export function seqLen(dict: StateDict, prefix: string): number {
  let max = -1;
  const p = `${prefix}.`;
  for (const k of dict.keys()) {
    if (!k.startsWith(p)) continue;
    const i = Number(k.slice(p.length).split('.', 1)[0]);
    if (Number.isInteger(i) && i > max) max = i;
  }
  return max + 1;
}

/** The shape of a tensor that must exist with this rank; the error names the key. */
export function shapeOf(dict: StateDict, key: string, rank?: number): readonly number[] {
  const t = dict.get(key);
  if (!t) throw new Error(`missing tensor ${key}`);
  if (rank !== undefined && t.shape.length !== rank) throw new Error(`${key} has shape [${t.shape.join(', ')}], expected ${rank} dimensions`);
  return t.shape;
}
