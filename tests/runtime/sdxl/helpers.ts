import type { RunContext } from '../../../nodes/runner';
import { resolvePaths } from '../../../server/config/paths';
import type { ModelCache } from '../../../server/runtime/model-cache';
import { txt2img } from '../../scheduler/fixtures';

export { maxAbsDiff } from '../../helpers/compare';

/** Columns [from, to) of every row of a [rows, dim] row-major array. */
export function cols(data: Float32Array, dim: number, from: number, to: number, rows = data.length / dim): Float32Array {
  const out = new Float32Array(rows * (to - from));
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * dim + from, r * dim + to), r * (to - from));
  return out;
}

/** A RunContext for calling one runner directly; `root` is the (caller-owned) data folder. */
export function nodeContext(params: RunContext['params'], inputs: RunContext['inputs'], models: ModelCache, root: string): RunContext {
  return {
    nodeId: 'n', params, inputs, signal: new AbortController().signal, progress: () => {},
    paths: resolvePaths({ root }), models, workflow: txt2img(), warn: () => {}, recordFile: () => {},
  };
}
