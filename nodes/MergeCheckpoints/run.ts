import type { NodeRunner } from '../runner';
import { MERGE_MODES, type MergeMode } from './schema';
import { isClipHandle, isModelHandle } from '../../server/runtime/pipeline/handles';
import { mergeClips, mergeModels } from '../../server/runtime/pipeline/merge';
import { numberParam, stringParam } from '../../server/runtime/pipeline/node-params';

const N = 'MergeCheckpoints';

/** The linked inputs of one pair: null when none is linked; an error naming what is missing otherwise. */
function pair<T>(ctx: Parameters<NodeRunner>[0], prefix: string, guard: (v: unknown) => v is T, type: string, needC: boolean): { a: T; b: T; c?: T } | null {
  const names = ['a', 'b', 'c'].map((s) => `${prefix}_${s}`);
  const [a, b, c] = names.map((n) => ctx.inputs[n]);
  if (a === undefined && b === undefined && c === undefined) return null;
  names.forEach((n, i) => {
    const v = [a, b, c][i];
    if (v !== undefined && !guard(v)) throw new Error(`${N}: input "${n}" is not a ${type}.`);
  });
  if (a === undefined || b === undefined) throw new Error(`${N}: "${names[0]}" and "${names[1]}" must both be linked to merge ${type}s.`);
  if (needC && c === undefined) throw new Error(`${N}: add_difference needs "${names[2]}" (the base that B differs from).`);
  return { a: a as T, b: b as T, ...(needC ? { c: c as T } : {}) };
}

export const run: NodeRunner = async (ctx) => {
  const mode = stringParam(N, ctx, 'mode');
  if (!(MERGE_MODES as readonly string[]).includes(mode)) throw new Error(`${N}: mode "${mode}" is not one of ${MERGE_MODES.join(', ')}.`);
  const m = mode as MergeMode;
  const needC = m === 'add_difference';
  const models = pair(ctx, 'model', isModelHandle, 'MODEL', needC);
  const clips = pair(ctx, 'clip', isClipHandle, 'CLIP', needC);
  if (!models && !clips) throw new Error(`${N}: link model_a + model_b and/or clip_a + clip_b.`);
  const blocks = { input: numberParam(N, ctx, 'input_ratio'), middle: numberParam(N, ctx, 'middle_ratio'), out: numberParam(N, ctx, 'out_ratio') };
  const model = models ? mergeModels({ mode: m, ...models, ratio: numberParam(N, ctx, 'model_ratio'), blocks }) : undefined;
  // per-block ratios are a UNet notion: CLIP merges as a weighted sum in blocks mode
  const clip = clips ? mergeClips(m === 'blocks' ? 'weighted_sum' : m, numberParam(N, ctx, 'clip_ratio'), clips.a, clips.b, clips.c) : undefined;
  return { model, clip };
};
