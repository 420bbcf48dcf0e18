/**
 * The tensor side of ComfyUI's conditioning nodes (nodes.py): average, concat and zero-out of entries' cross-attention
 * and pooled outputs, float32 as torch computes them. Option-only nodes (area, mask, strength, range) just set fields.
 */
import type { CondEntry, Conditioning } from '../handles';
import type { F32Tensor } from '../models';

const f = Math.fround;

const cond = (entries: readonly CondEntry[]): Conditioning => ({ kind: 'conditioning', entries });

function firstEntry(c: Conditioning, input: string): CondEntry {
  const e = c.entries[0];
  if (!e) throw new Error(`${input} has no entries`);
  return e;
}

function sameWidth(a: F32Tensor, b: F32Tensor, what: string): void {
  if (a.shape[2] !== b.shape[2]) {
    throw new Error(`${what}: text conditioning widths differ (${a.shape[2]} vs ${b.shape[2]}): conditionings from different model families`);
  }
}

/** `conditioning_set_values`: every entry with the given options replaced. */
export function setValues(c: Conditioning, values: Partial<CondEntry>): Conditioning {
  return cond(c.entries.map((e) => ({ ...e, ...values })));
}

/** ConditioningCombine: the two lists one after the other. */
export const combine = (a: Conditioning, b: Conditioning): Conditioning => cond([...a.entries, ...b.entries]);

/** a·s + b·(1 − s) elementwise, float32 as torch: mul, mul, add. */
function mix(a: Float32Array, b: Float32Array, s: number): Float32Array {
  const sa = f(s);
  const sb = f(1 - s);
  return Float32Array.from(a, (v, i) => f(f(v * sa) + f(b[i] * sb)));
}

/**
 * ConditioningAverage: each `to` entry mixed with the first `from` entry, `from`'s tokens cut or zero-padded to the
 * `to` length (only batch 1 of `from`, as ComfyUI's zeros of batch 1); pooled mixed when both have one, else `from`'s.
 */
export function average(to: Conditioning, from: Conditioning, toStrength: number, warn?: (m: string) => void): Conditioning {
  if (from.entries.length > 1) warn?.('ConditioningAverage: conditioning_from holds more than one entry; only the first is used (as ComfyUI)');
  const src = firstEntry(from, 'conditioning_from');
  return cond(
    to.entries.map((e) => {
      sameWidth(e.cross, src.cross, 'ConditioningAverage');
      const [b, t1, d] = e.cross.shape;
      const [bf, t0] = src.cross.shape;
      if (bf !== 1 && bf !== b) throw new Error(`ConditioningAverage: batches of ${b} and ${bf} cannot be mixed`);
      // from[:, :t1] padded with zeros to t1 tokens, repeated over the batch as torch broadcasting does
      const padded = new Float32Array(b * t1 * d);
      const keep = Math.min(t0, t1);
      for (let r = 0; r < b; r++) {
        const row = bf === 1 ? 0 : r;
        padded.set(src.cross.data.subarray(row * t0 * d, row * t0 * d + keep * d), r * t1 * d);
      }
      const out: CondEntry = { ...e, cross: { shape: [b, t1, d], data: mix(e.cross.data, padded, toStrength) } };
      const pTo = e.pooled ?? src.pooled;
      if (src.pooled && pTo) {
        if (pTo.data.length !== src.pooled.data.length)
          throw new Error(`ConditioningAverage: pooled outputs of ${pTo.data.length} and ${src.pooled.data.length} values cannot be mixed`);
        return { ...out, pooled: { shape: [...pTo.shape], data: mix(pTo.data, src.pooled.data, toStrength) } };
      }
      return out;
    }),
  );
}

/** ConditioningConcat: the first `from` entry's tokens appended to each `to` entry's (options of `to` kept). */
export function concat(to: Conditioning, from: Conditioning, warn?: (m: string) => void): Conditioning {
  if (from.entries.length > 1) warn?.('ConditioningConcat: conditioning_from holds more than one entry; only the first is used (as ComfyUI)');
  const src = firstEntry(from, 'conditioning_from').cross;
  return cond(
    to.entries.map((e) => {
      sameWidth(e.cross, src, 'ConditioningConcat');
      const [b, t1, d] = e.cross.shape;
      const [bf, t0] = src.shape;
      if (bf !== b) throw new Error(`ConditioningConcat: batches of ${b} and ${bf} cannot be concatenated`);
      const data = new Float32Array(b * (t1 + t0) * d);
      for (let r = 0; r < b; r++) {
        data.set(e.cross.data.subarray(r * t1 * d, (r + 1) * t1 * d), r * (t1 + t0) * d);
        data.set(src.data.subarray(r * t0 * d, (r + 1) * t0 * d), (r * (t1 + t0) + t1) * d);
      }
      return { ...e, cross: { shape: [b, t1 + t0, d], data } };
    }),
  );
}

/** ConditioningZeroOut: zero tensors of the same shapes (pooled too), options kept. */
export function zeroOut(c: Conditioning): Conditioning {
  const zeros = (t: F32Tensor): F32Tensor => ({ shape: [...t.shape], data: new Float32Array(t.data.length) });
  return cond(c.entries.map((e) => ({ ...e, cross: zeros(e.cross), ...(e.pooled ? { pooled: zeros(e.pooled) } : {}) })));
}
