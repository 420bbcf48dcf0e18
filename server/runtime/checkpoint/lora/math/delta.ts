import type { TensorRef } from '../../../io/tensor';
import type { Adapter, LoraSlot } from '../types';
import { type Dense, flatten1, hadamard, kron, numelOf, transpose2d, tuckerRebuild } from './dense';
import { matmulF32 } from './matmul';
import { readDense, readScalar } from './decode';

/** The weight delta of one adapter before strength, and the alpha/rank factor ComfyUI applies to it. */
export interface AdapterDelta {
  readonly delta: Float32Array;
  readonly scale: number;
}

function slot(a: Adapter, s: LoraSlot): TensorRef {
  const ref = a.slots[s];
  if (!ref) throw new Error(`LoRA module ${a.key}: missing ${s}`);
  return ref;
}

/** Shape of the delta an adapter produces, from the header alone (used to reject a LoRA for another model before reading data). */
export function deltaShape(a: Adapter): readonly number[] {
  const s = (n: LoraSlot) => slot(a, n).shape;
  switch (a.kind) {
    case 'lora': {
      const up = s('up');
      const down = s('down');
      const rank = numelOf(up.slice(1));
      if (rank !== down[0]) throw new Error(`LoRA module ${a.key}: up [${up}] and down [${down}] disagree on the rank`);
      if (a.slots.mid) return [up[0], down[1], ...s('mid').slice(2)];
      return [up[0], ...down.slice(1)];
    }
    case 'loha':
      if (!a.slots.hada_t1 && s('hada_w1_a')[1] !== s('hada_w1_b')[0]) {
        throw new Error(`LoRA module ${a.key}: hada_w1_a [${s('hada_w1_a')}] and hada_w1_b [${s('hada_w1_b')}] disagree on the rank`);
      }
      if (a.slots.hada_t1) return [s('hada_w1_a')[1], s('hada_w1_b')[1], ...s('hada_t1').slice(2)];
      return [s('hada_w1_a')[0], ...s('hada_w1_b').slice(1)];
    case 'lokr': {
      const w1 = a.slots.lokr_w1 ? s('lokr_w1') : [s('lokr_w1_a')[0], s('lokr_w1_b')[1]];
      let w2: readonly number[];
      if (a.slots.lokr_w2) w2 = s('lokr_w2');
      else if (a.slots.lokr_t2) w2 = [s('lokr_w2_a')[1], s('lokr_w2_b')[1], ...s('lokr_t2').slice(2)];
      else w2 = [s('lokr_w2_a')[0], ...s('lokr_w2_b').slice(1)];
      const w1r = w2.length === 4 && w1.length === 2 ? [...w1, 1, 1] : w1;
      return w1r.map((d, i) => d * (w2[i] ?? 1));
    }
    case 'diff':
      return s('diff');
    case undefined:
      throw new Error(`LoRA module ${a.key}: has no weight adapter`);
  }
}

async function alphaOver(a: Adapter, rank: number | undefined): Promise<number> {
  if (!a.slots.alpha || rank === undefined) return 1;
  return (await readScalar(a.slots.alpha)) / rank;
}

async function loraDelta(a: Adapter): Promise<AdapterDelta> {
  const up = await readDense(slot(a, 'up'));
  let down = await readDense(slot(a, 'down'));
  const rank = down.shape[0];
  if (a.slots.mid) {
    // LoCon Tucker: down'[j,i,...] = Σ_k down[k,i] · mid[j,k,...]
    const mid = await readDense(slot(a, 'mid'));
    const spatial = mid.shape.slice(2);
    const midT = flatten1({ data: transposeFirstTwo(mid), shape: [mid.shape[1], mid.shape[0], ...spatial] });
    const prod = await matmulF32(transpose2d(flatten1(down)), midT); // [in, r·spatial]
    down = {
      data: transposeFirstTwo({ data: prod.data, shape: [down.shape[1], mid.shape[0], ...spatial] }),
      shape: [mid.shape[0], down.shape[1], ...spatial],
    };
  }
  const delta = await matmulF32(flatten1(up), flatten1(down));
  return { delta: delta.data, scale: await alphaOver(a, rank) };
}

/** Swap dims 0 and 1 of a tensor of rank >= 2. */
function transposeFirstTwo(t: Dense): Float32Array {
  const [d0, d1] = t.shape;
  const inner = numelOf(t.shape.slice(2));
  const out = new Float32Array(t.data.length);
  for (let i = 0; i < d0; i++)
    for (let j = 0; j < d1; j++) out.set(t.data.subarray((i * d1 + j) * inner, (i * d1 + j + 1) * inner), (j * d0 + i) * inner);
  return out;
}

async function lohaDelta(a: Adapter): Promise<AdapterDelta> {
  const [w1a, w1b, w2a, w2b] = await Promise.all((['hada_w1_a', 'hada_w1_b', 'hada_w2_a', 'hada_w2_b'] as const).map((n) => readDense(slot(a, n))));
  let m1: Dense;
  let m2: Dense;
  if (a.slots.hada_t1) {
    m1 = tuckerRebuild(await readDense(slot(a, 'hada_t1')), flatten1(w1b), flatten1(w1a));
    m2 = tuckerRebuild(await readDense(slot(a, 'hada_t2')), flatten1(w2b), flatten1(w2a));
  } else {
    m1 = await matmulF32(flatten1(w1a), flatten1(w1b));
    m2 = await matmulF32(flatten1(w2a), flatten1(w2b));
  }
  return { delta: hadamard(m1, m2).data, scale: await alphaOver(a, w1b.shape[0]) };
}

async function lokrDelta(a: Adapter): Promise<AdapterDelta> {
  let dim: number | undefined;
  let w1: Dense;
  if (a.slots.lokr_w1) w1 = await readDense(slot(a, 'lokr_w1'));
  else {
    const w1b = await readDense(slot(a, 'lokr_w1_b'));
    dim = w1b.shape[0];
    w1 = await matmulF32(flatten1(await readDense(slot(a, 'lokr_w1_a'))), flatten1(w1b));
  }
  let w2: Dense;
  if (a.slots.lokr_w2) w2 = await readDense(slot(a, 'lokr_w2'));
  else {
    const w2a = await readDense(slot(a, 'lokr_w2_a'));
    const w2b = await readDense(slot(a, 'lokr_w2_b'));
    dim = w2b.shape[0];
    w2 = a.slots.lokr_t2
      ? tuckerRebuild(await readDense(slot(a, 'lokr_t2')), flatten1(w2b), flatten1(w2a))
      : await matmulF32(flatten1(w2a), flatten1(w2b));
  }
  if (w2.shape.length === 4 && w1.shape.length === 2) w1 = { data: w1.data, shape: [...w1.shape, 1, 1] };
  return { delta: kron(w1, w2).data, scale: await alphaOver(a, dim) };
}

async function diffDelta(a: Adapter): Promise<AdapterDelta> {
  return { delta: (await readDense(slot(a, 'diff'))).data, scale: 1 };
}

const DELTA_BY_KIND = { lora: loraDelta, loha: lohaDelta, lokr: lokrDelta, diff: diffDelta } as const;

export async function adapterDelta(a: Adapter): Promise<AdapterDelta> {
  if (!a.kind) throw new Error(`LoRA module ${a.key}: has no weight adapter`);
  return DELTA_BY_KIND[a.kind](a);
}
