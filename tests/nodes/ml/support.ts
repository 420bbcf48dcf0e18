/** Calling ML node runners directly with a real RunContext over a temp data root (no engine). */
import type { NodeOutputs, NodeRunner, OutputFile, RunContext } from '../../../nodes/runner';
import { SCHEMAS_BY_ID, defaultParams } from '../../../nodes/schemas';
import { RUNNERS } from '../../../nodes/runners';
import type { ParamValue } from '../../../nodes/types';
import type { LoomPaths } from '../../../server/config/paths';
import type { ModelCache } from '../../../server/runtime/model-cache';
import type { ImageValue } from '../../../server/runtime/values';

export interface NodeCall {
  outputs: NodeOutputs;
  files: Omit<OutputFile, 'nodeId'>[];
  progress: { step: number; total: number; preview?: ImageValue }[];
  warnings: string[];
}

export function nodeCaller(paths: LoomPaths, models: ModelCache) {
  return async (
    type: string,
    params: Record<string, ParamValue>,
    inputs: Record<string, unknown> = {},
    signal = new AbortController().signal,
    onProgress?: (step: number) => void,
  ): Promise<NodeCall> => {
    const schema = SCHEMAS_BY_ID[type];
    const entry = RUNNERS[type];
    if (!schema || !entry?.implemented) throw new Error(`${type} is not an implemented node`);
    const run: NodeRunner = entry.run;
    const files: NodeCall['files'] = [];
    const progress: NodeCall['progress'] = [];
    const warnings: string[] = [];
    const ctx: RunContext = {
      nodeId: type, params: { ...defaultParams(schema), ...params }, inputs, signal, paths, models,
      progress: (step, total, preview) => {
        progress.push({ step, total, preview });
        onProgress?.(step);
      },
      workflow: { format: 'latentloom.workflow', version: 1, nodes: {} },
      warn: (message) => warnings.push(message),
      recordFile: (f) => files.push(f),
    };
    return { outputs: await run(ctx), files, progress, warnings };
  };
}

/** Row `r` of a [rows, ...] golden tensor. */
export function row(data: Float32Array, rows: number, r: number): Float32Array {
  const n = data.length / rows;
  return data.subarray(r * n, (r + 1) * n);
}
