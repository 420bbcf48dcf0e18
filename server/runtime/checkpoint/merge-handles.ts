/**
 * Merges on handles, as ComfyUI's ModelMergeSimple / ModelMergeBlocks / ModelMergeAdd / ModelMergeSubtract and
 * CLIPMergeSimple / CLIPMergeAdd / CLIPMergeSubtract (add_patches: weight·strength_model + patch·strength_patch):
 * a new provider computing values on demand over the inputs. Only tensors present in every input with the same
 * float shape merge; the rest are model A's.
 */
import { CheckpointError } from './errors';
import { kernelMergeFloat32 } from './merge-kernel/provider';
import { combine } from './merge-math';
import type { WeightProvider } from './weights';
import type { DType } from '../io/tensor';
import type { ClipHandle, ModelHandle, TowerName } from '../handles';

export type MergeMode = 'weighted_sum' | 'add_difference' | 'add' | 'subtract' | 'blocks';

const FLOAT: ReadonlySet<DType> = new Set(['F16', 'F32', 'BF16', 'F64']);

/** out = f(a, b, c) elementwise with ratio r (a is overwritten: it is a fresh float32() copy). */
type Combine = (a: Float32Array, b: Float32Array, c: Float32Array | undefined, r: number) => Float32Array;

/** weighted_sum and add_difference in our merge's terms (IEEE f32, as the WASM kernel computes them) */
const KERNEL_TERMS = {
  // ComfyUI: weight·ratio + other·(1 − ratio) = (1 − t)·A + t·B with t = 1 − ratio
  weighted_sum: (r: number) => ({ mode: 'weighted' as const, t: 1 - r }),
  add_difference: (r: number) => ({ mode: 'add-difference' as const, t: r }),
};

const COMBINE: Readonly<Record<Exclude<MergeMode, 'blocks'>, Combine>> = {
  weighted_sum: (a, b, _c, r) => combine('weighted', KERNEL_TERMS.weighted_sum(r).t, a, b),
  add_difference: (a, b, c, r) => combine('add-difference', r, a, b, c),
  add: (a, b) => {
    for (let i = 0; i < a.length; i++) a[i] += b[i];
    return a;
  },
  // ComfyUI ModelSubtract: add_patches(strength_patch = −m, strength_model = m), i.e. a·m + b·(−m) in f32
  subtract: (a, b, _c, r) => {
    const f = Math.fround;
    for (let i = 0; i < a.length; i++) a[i] = f(f(a[i] * r) + f(b[i] * -r));
    return a;
  },
};

export interface MergeSpec {
  mode: Exclude<MergeMode, 'blocks'>;
  a: WeightProvider;
  b: WeightProvider;
  c?: WeightProvider;
  ratio: (name: string) => number;
  /** names that are never merged (CLIP position ids, logit scale) */
  skip?: (name: string) => boolean;
}

const sameShape = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((d, i) => d === y[i]);

export function mergeProvider(s: MergeSpec): WeightProvider {
  const others = [s.b, ...(s.c ? [s.c] : [])];
  const mergeable = (name: string) => !s.skip?.(name) && FLOAT.has(s.a.info(name).dtype) && others.every((p) => p.has(name));
  const check = (name: string) => {
    const want = s.a.info(name).shape;
    for (const p of others) {
      const got = p.info(name).shape;
      if (!sameShape(got, want))
        throw new CheckpointError(`tensor "${name}" is [${want.join(', ')}] in A but [${got.join(', ')}] in ${p === s.b ? 'B' : 'C'}`);
    }
  };
  return {
    names: () => s.a.names(),
    has: (name) => s.a.has(name),
    info: (name) => s.a.info(name),
    fileRange: (name) => (mergeable(name) ? undefined : s.a.fileRange(name)),
    float32: async (name) => {
      if (!mergeable(name)) return Float32Array.from(await s.a.float32(name));
      check(name);
      const r = s.ratio(name);
      if (s.mode === 'weighted_sum' || s.mode === 'add_difference') {
        const { mode, t } = KERNEL_TERMS[s.mode](r);
        const fast = await kernelMergeFloat32(mode, t, name, s.a, s.b, s.c);
        if (fast) return fast;
      }
      const [a, b, c] = await Promise.all([s.a.float32(name).then((v) => Float32Array.from(v)), s.b.float32(name), s.c?.float32(name)]);
      return COMBINE[s.mode](a, b, c, r);
    },
    identity: (name) => {
      if (!mergeable(name)) return s.a.identity(name);
      return `${s.mode}(${s.ratio(name)})[${[s.a, ...others].map((p) => p.identity(name)).join('|')}]`;
    },
  };
}

/** ModelMergeBlocks: the longest matching prefix of input / middle / out wins; the default is the input ratio. */
export function blockRatio(r: { input: number; middle: number; out: number }): (name: string) => number {
  return (name) => (name.startsWith('middle') ? r.middle : name.startsWith('out') ? r.out : r.input);
}

export interface ModelMergeRequest {
  mode: MergeMode;
  a: ModelHandle;
  b: ModelHandle;
  c?: ModelHandle;
  /** weighted_sum / add_difference / subtract; unused for add */
  ratio?: number;
  /** blocks mode */
  blocks?: { input: number; middle: number; out: number };
}

function sameFamily(kind: string, hs: readonly { family: string }[]): void {
  if (hs.some((h) => h.family !== hs[0].family))
    throw new Error(`cannot merge ${kind}s of different families (${hs.map((h) => h.family).join(', ')})`);
}

export function mergeModels(r: ModelMergeRequest): ModelHandle {
  const handles = [r.a, r.b, ...(r.c ? [r.c] : [])];
  sameFamily('model', handles);
  const blocks = r.mode === 'blocks' ? (r.blocks ?? { input: 1, middle: 1, out: 1 }) : null;
  const single = r.ratio ?? 1;
  const ratio = blocks ? blockRatio(blocks) : () => single;
  const unet = mergeProvider({ mode: blocks ? 'weighted_sum' : (r.mode as MergeSpec['mode']), a: r.a.unet, b: r.b.unet, c: r.c?.unet, ratio });
  const how = blocks ? `blocks(${blocks.input},${blocks.middle},${blocks.out})` : `${r.mode}(${single})`;
  return {
    ...r.a,
    unet,
    key: `${how}[${handles.map((h) => h.key).join('|')}]`,
    recipe: [
      {
        step: 'merge',
        mode: r.mode,
        ...(blocks ?? { ratio: single }),
        a: JSON.stringify(r.a.recipe),
        b: JSON.stringify(r.b.recipe),
        ...(r.c ? { c: JSON.stringify(r.c.recipe) } : {}),
      },
    ],
  };
}

/** CLIPMergeSimple & co. skip these (comfy_extras/nodes_model_merging.py). */
const CLIP_SKIP = (name: string) => name.endsWith('position_ids') || name.endsWith('logit_scale');

export function mergeClips(mode: Exclude<MergeMode, 'blocks'>, ratio: number, a: ClipHandle, b: ClipHandle, c?: ClipHandle): ClipHandle {
  const handles = [a, b, ...(c ? [c] : [])];
  sameFamily('text encoder', handles);
  const towers: Partial<Record<TowerName, WeightProvider>> = {};
  for (const [name, pa] of Object.entries(a.towers) as [TowerName, WeightProvider][]) {
    const pb = b.towers[name];
    const pc = c?.towers[name];
    if (!pb || (c && !pc)) throw new Error(`text encoder ${name} is missing from ${pb ? 'C' : 'B'}`);
    towers[name] = mergeProvider({ mode, a: pa, b: pb, c: pc, ratio: () => ratio, skip: CLIP_SKIP });
  }
  return {
    ...a,
    towers,
    key: `${mode}(${ratio})[${handles.map((h) => h.key).join('|')}]`,
    recipe: [{ step: 'merge', mode, ratio, a: JSON.stringify(a.recipe), b: JSON.stringify(b.recipe), ...(c ? { c: JSON.stringify(c.recipe) } : {}) }],
  };
}
