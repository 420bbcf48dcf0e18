/** Calling one node the way the scheduler does (typed params, checked inputs and outputs), without an engine. */
import { checkedInputs, checkOutputs, typedParams } from '../../nodes/invoke';
import type { NodeOutputs, OutputFile } from '../../nodes/node';
import { withDefaults } from '../../nodes/params';
import { REGISTRY } from '../../nodes/registry';
import type { ParamValue } from '../../nodes/types';
import type { Workflow } from '../../nodes/workflow/schema';
import type { LoomPaths } from '../../server/config/paths';
import type { ModelCache } from '../../server/runtime/model-cache';
import type { ImageValue } from '../../server/runtime/values';

export interface NodeCall {
  outputs: NodeOutputs;
  files: Omit<OutputFile, 'nodeId'>[];
  progress: { step: number; total: number; preview?: ImageValue }[];
  warnings: string[];
}

export interface CallOptions {
  paths: LoomPaths;
  models: ModelCache;
  signal?: AbortSignal;
  onProgress?: (step: number) => void;
  workflow?: Workflow;
  nodeId?: string;
}

export async function callNode(type: string, params: Record<string, ParamValue>, inputs: Record<string, unknown>, o: CallOptions): Promise<NodeCall> {
  const impl = REGISTRY.implementation(type);
  if (!impl) throw new Error(`${type} is not a node type`);
  const schema = impl.schema;
  const files: NodeCall['files'] = [];
  const progress: NodeCall['progress'] = [];
  const warnings: string[] = [];
  const outputs = await impl.run({
    params: await typedParams(schema, withDefaults(schema.params, params), o.paths),
    inputs: checkedInputs(schema, inputs),
    ctx: {
      nodeId: o.nodeId ?? type,
      signal: o.signal ?? new AbortController().signal,
      paths: o.paths,
      models: o.models,
      workflow: o.workflow ?? { format: 'latentloom.workflow', version: 2, nodes: {} },
      schemas: REGISTRY.schemas,
      progress: (step, total, preview, stage) => {
        // a 'loading model' stage comes before the first step when the UNet was not built yet: steps are what callers count
        if (stage) return;
        progress.push({ step, total, preview });
        o.onProgress?.(step);
      },
      warn: (message) => warnings.push(message),
      recordFile: (f) => files.push(f),
    },
  });
  checkOutputs(schema, outputs);
  return { outputs, files, progress, warnings };
}
