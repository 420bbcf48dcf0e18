/** Runs a validated workflow: plan, cache lookups, node calls, progress. Knows no ML. */
import { checkedInputs, checkOutputs, fileFingerprints, NodeInputError, typedParams } from '../../nodes/invoke';
import type { NodeOutputs, OutputFile } from '../../nodes/node';
import { checkParam, withDefaults } from '../../nodes/params';
import type { Registry } from '../../nodes/registry';
import { getSchema, type ParamValue } from '../../nodes/schemas';
import { executableGraph } from '../../nodes/workflow/executable';
import type { Workflow } from '../../nodes/workflow/schema';
import type { LoomPaths } from '../config/paths';
import type { ModelCache } from '../runtime/model-cache';
import type { ImageValue } from '../runtime/values';
import { nodeCacheKey } from './cache-key';
import type { NodeEventBody } from './events';
import type { OutputCache } from './output-cache';
import { planExecution } from './plan';

export interface ExecuteOptions {
  jobId: string;
  /** the workflow as submitted; the executable graph is derived from it */
  workflow: Workflow;
  registry: Registry;
  cache: OutputCache;
  models: ModelCache;
  paths: LoomPaths;
  signal: AbortSignal;
  emit(event: NodeEventBody): void;
  /** turns a preview image into something an event can carry (a data URL); absent: previews are dropped */
  encodePreview?(image: ImageValue): string;
  /** sees every node's outputs (computed or cached), e.g. tests comparing intermediate values with ComfyUI's */
  observe?(nodeId: string, outputs: NodeOutputs): void;
  /** run these nodes (and what they need) instead of the output nodes */
  targets?: readonly string[];
}

/** A node failure: which node, the user's one line, and the original error as `cause` (the server logs its stack). */
export class NodeFailedError extends Error {
  constructor(
    readonly nodeId: string,
    message: string,
    options?: { cause?: unknown; input?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NodeFailedError';
    this.input = options?.input;
  }
  readonly input?: string;
}

const isScalar = (v: unknown): v is ParamValue => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';

export async function executeWorkflow(opts: ExecuteOptions): Promise<{ files: OutputFile[] }> {
  const { registry, cache, jobId, emit } = opts;
  const schemas = registry.schemas;
  const wf = executableGraph(opts.workflow, schemas).workflow;
  const order = planExecution(wf, schemas, opts.targets);
  const keys = new Map<string, string>();
  const values = new Map<string, NodeOutputs>();
  const files: OutputFile[] = [];
  // later nodes that can start loading early (a sampler's UNet) hear of each input as it becomes known
  const warmFrom = (done: string) => {
    for (const later of order) {
      if (values.has(later)) continue;
      const n = wf.nodes[later];
      const warm = registry.implementation(n.type)?.warm;
      if (!warm || !Object.values(n.inputs).some((l) => l.node === done)) continue;
      const known: Record<string, unknown> = {};
      for (const [name, link] of Object.entries(n.inputs)) {
        const v = values.get(link.node)?.[link.output];
        if (v !== undefined) known[name] = v;
      }
      try {
        warm(known, { models: opts.models, signal: opts.signal });
      } catch {
        // only a head start: the node's own run reports any problem
      }
    }
  };
  for (const nodeId of order) {
    opts.signal.throwIfAborted();
    const node = wf.nodes[nodeId];
    const impl = registry.implementation(node.type);
    const schema = impl?.schema ?? getSchema(node.type, schemas);
    if (!impl || !schema) throw new NodeFailedError(nodeId, `Node ${nodeId}: "${node.type}" is not a node type this build can run.`);
    const label = `${node.title ?? schema.title} (${nodeId})`;
    const params = withDefaults(schema.params, node.params);
    const inputKeys: Record<string, string> = {};
    const inputs: Record<string, unknown> = {};
    for (const [name, link] of Object.entries(node.inputs)) {
      inputKeys[name] = `${keys.get(link.node)}:${link.output}`;
      const value = values.get(link.node)?.[link.output];
      const param = schema.params.find((p) => p.name === name);
      if (!param) {
        inputs[name] = value;
        continue;
      }
      // a widget driven by a link: its value is checked like a typed one
      const problem = isScalar(value) ? checkParam(param, value) : { message: `expected a value, got ${typeof value}` };
      if (problem)
        throw new NodeFailedError(nodeId, `${label}: widget "${name}" got ${JSON.stringify(value)} from "${link.node}": ${problem.message}.`, {
          input: name,
        });
      params[name] = value as ParamValue;
    }
    const fingerprint = await fileFingerprints(schema, params, opts.paths);
    const extra = impl.fingerprint ? await impl.fingerprint(params, opts.paths) : undefined;
    const key = nodeCacheKey(schema, params, inputKeys, { ...fingerprint, ...(extra ? { node: extra } : {}) });
    keys.set(nodeId, key);
    const hit = cache.get(key);
    if (hit) {
      values.set(nodeId, hit.outputs);
      opts.observe?.(nodeId, hit.outputs);
      warmFrom(nodeId);
      const cachedFiles = hit.files.map((f) => ({ ...f, nodeId }));
      files.push(...cachedFiles);
      emit({ type: 'node.cached', jobId, nodeId, ...(cachedFiles.length > 0 ? { files: cachedFiles } : {}) });
      continue;
    }
    emit({ type: 'node.started', jobId, nodeId });
    const started = performance.now();
    const nodeFiles: OutputFile[] = [];
    let outputs: NodeOutputs;
    try {
      outputs = await impl.run({
        params: await typedParams(schema, params, opts.paths),
        inputs: checkedInputs(schema, inputs),
        ctx: {
          nodeId,
          signal: opts.signal,
          paths: opts.paths,
          models: opts.models,
          workflow: opts.workflow,
          schemas,
          progress: (step, total, preview, stage) => {
            const encoded = preview && opts.encodePreview ? opts.encodePreview(preview) : undefined;
            emit({ type: 'node.progress', jobId, nodeId, step, total, ...(encoded ? { preview: encoded } : {}), ...(stage ? { stage } : {}) });
          },
          warn: (message) => emit({ type: 'node.warning', jobId, nodeId, message }),
          recordFile: (f) => nodeFiles.push({ ...f, nodeId }),
        },
      });
      checkOutputs(schema, outputs);
    } catch (e) {
      if (opts.signal.aborted) throw e;
      const input = e instanceof NodeInputError ? e.input : undefined;
      throw new NodeFailedError(nodeId, `${label} failed: ${userMessage(e)}`, { cause: e, input });
    }
    values.set(nodeId, outputs);
    opts.observe?.(nodeId, outputs);
    warmFrom(nodeId);
    cache.set(key, { outputs, files: nodeFiles });
    files.push(...nodeFiles);
    emit({
      type: 'node.finished',
      jobId,
      nodeId,
      ms: Math.round(performance.now() - started),
      ...(nodeFiles.length > 0 ? { files: nodeFiles } : {}),
    });
  }
  cache.retainOnly(new Set(keys.values()));
  return { files };
}

/** One line for the user; internal failures (a stack overflow, onnxruntime's native messages) say what happened plainly. */
export function userMessage(e: unknown): string {
  if (e instanceof RangeError && /call stack/i.test(e.message)) return 'the graph or a value in it is too deeply nested (stack overflow).';
  if (e instanceof Error) {
    const first = e.message.split('\n')[0];
    return first.length > 600 ? `${first.slice(0, 600)}…` : first;
  }
  return String(e);
}
