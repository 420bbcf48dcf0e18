/** Calling ML nodes directly over a temp data root (no engine). */
import type { ParamValue } from '../../../nodes/types';
import type { NodeOutputs } from '../../../nodes/node';
import type { ClipHandle, ModelHandle, VaeHandle } from '../../../server/runtime/handles';
import type { LoomPaths } from '../../../server/config/paths';
import type { ModelCache } from '../../../server/runtime/model-cache';
import { callNode, type NodeCall } from '../../helpers/nodes';

export type { NodeCall };

export function nodeCaller(paths: LoomPaths, models: ModelCache) {
  return (
    type: string,
    params: Record<string, ParamValue>,
    inputs: Record<string, unknown> = {},
    signal = new AbortController().signal,
    onProgress?: (step: number) => void,
  ) => callNode(type, params, inputs, { paths, models, signal, onProgress });
}

/** Row `r` of a [rows, ...] golden tensor. */
export function row(data: Float32Array, rows: number, r: number): Float32Array {
  const n = data.length / rows;
  return data.subarray(r * n, (r + 1) * n);
}

/** A CheckpointLoaderSimple result as the three handles. */
export function loaded(o: NodeOutputs): { model: ModelHandle; clip: ClipHandle; vae: VaeHandle } {
  return { model: o.MODEL as ModelHandle, clip: o.CLIP as ClipHandle, vae: o.VAE as VaeHandle };
}
