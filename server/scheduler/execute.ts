/** Runs a validated workflow: plan, cache lookups, runner calls, progress. Knows no ML. */
import { getSchema, type SchemaMap } from '../../nodes/schemas';
import type { NodeOutputs, OutputFile, RunnerEntry } from '../../nodes/runner';
import type { Workflow } from '../../nodes/workflow/schema';
import type { LoomPaths } from '../config/paths';
import type { ModelCache } from './model-cache';
import type { NodeEventBody } from './events';
import type { OutputCache } from './output-cache';
import type { ImageValue } from '../../nodes/values';
import { nodeCacheKey } from './cache-key';
import { withDefaults } from './params';
import { planExecution } from './plan';

export interface ExecuteOptions {
  jobId: string;
  workflow: Workflow;
  schemas: SchemaMap;
  runners: Readonly<Record<string, RunnerEntry>>;
  cache: OutputCache;
  models: ModelCache;
  paths: LoomPaths;
  signal: AbortSignal;
  emit(event: NodeEventBody): void;
  /** turns a preview image into something an event can carry (a data URL); absent: previews are dropped */
  encodePreview?(image: ImageValue): string;
}

/** A node failure: carries which node so the UI can mark it. */
export class NodeFailedError extends Error {
  constructor(readonly nodeId: string, message: string) {
    super(message);
    this.name = 'NodeFailedError';
  }
}

export async function executeWorkflow(opts: ExecuteOptions): Promise<{ files: OutputFile[] }> {
  const { workflow: wf, schemas, runners, cache, jobId, emit } = opts;
  const order = planExecution(wf, schemas);
  const keys = new Map<string, string>();
  const values = new Map<string, NodeOutputs>();
  const files: OutputFile[] = [];
  for (const nodeId of order) {
    opts.signal.throwIfAborted();
    const node = wf.nodes[nodeId];
    const schema = getSchema(node.type, schemas);
    if (!schema) throw new NodeFailedError(nodeId, `Unknown node type "${node.type}".`);
    const params = withDefaults(schema.params, node.params);
    const inputKeys: Record<string, string> = {};
    const inputs: Record<string, unknown> = {};
    for (const [name, link] of Object.entries(node.inputs)) {
      inputKeys[name] = `${keys.get(link.node)}:${link.output}`;
      inputs[name] = values.get(link.node)?.[link.output];
    }
    const key = nodeCacheKey(schema, params, inputKeys);
    keys.set(nodeId, key);
    const hit = cache.get(key);
    if (hit) {
      values.set(nodeId, hit.outputs);
      files.push(...hit.files.map((f) => ({ ...f, nodeId })));
      emit({ type: 'node.cached', jobId, nodeId });
      continue;
    }
    const entry = runners[node.type];
    if (!entry?.implemented) throw new NodeFailedError(nodeId, `${schema.title} is not available yet.`);
    emit({ type: 'node.started', jobId, nodeId });
    const started = performance.now();
    const nodeFiles: OutputFile[] = [];
    let outputs: NodeOutputs;
    try {
      outputs = await entry.run({
        nodeId, params, inputs, signal: opts.signal, paths: opts.paths, models: opts.models, workflow: wf,
        progress: (step, total, preview) => {
          const encoded = preview && opts.encodePreview ? opts.encodePreview(preview) : undefined;
          emit({ type: 'node.progress', jobId, nodeId, step, total, ...(encoded ? { preview: encoded } : {}) });
        },
        warn: (message) => emit({ type: 'node.warning', jobId, nodeId, message }),
        recordFile: (f) => nodeFiles.push({ ...f, nodeId }),
      });
    } catch (e) {
      if (opts.signal.aborted) throw e;
      throw new NodeFailedError(nodeId, `${schema.title} (${nodeId}) failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    for (const out of schema.outputs) {
      if (!(out.name in outputs)) throw new NodeFailedError(nodeId, `${schema.title} (${nodeId}) did not produce output "${out.name}".`);
    }
    values.set(nodeId, outputs);
    cache.set(key, { outputs, files: nodeFiles });
    files.push(...nodeFiles);
    emit({ type: 'node.finished', jobId, nodeId, ms: Math.round(performance.now() - started) });
  }
  cache.retainOnly(new Set(keys.values()));
  return { files };
}
