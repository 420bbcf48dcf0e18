/**
 * Runs a ../shared/golden/comfy-nodes (or comfy-models) case through our engine exactly as ComfyUI ran it: its own
 * workflow_api.json imported as is, the tiny checkpoints placed under ComfyUI's names, the case's PNGs as input/.
 * Returns every node's outputs, keyed like the golden (`<node>.<slot>`), for comparison with golden.safetensors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REGISTRY } from '../../nodes/registry';
import type { NodeOutputs } from '../../nodes/node';
import { loadAnyWorkflow } from '../../nodes/workflow/load';
import { executeWorkflow } from '../../server/scheduler/execute';
import { OutputCache } from '../../server/scheduler/output-cache';
import { ModelCache } from '../../server/runtime/model-cache';
import { golden } from './golden';
import { pipelineRoot, type PipelineRoot } from '../runtime/pipeline/support';

export interface CaseRun {
  /** node id → its outputs by output name */
  outputs: Map<string, NodeOutputs>;
  /** `<node>.<slot>` → the value, as the golden names it */
  bySlot(key: string): unknown;
  root: PipelineRoot;
}

export function comfyCaseDir(caseName: string, set: 'comfy-nodes' | 'comfy-models' = 'comfy-nodes'): string {
  return golden(set, caseName);
}

export async function runComfyCase(dir: string, o: { workflowFile?: string; models?: Record<string, string> } = {}): Promise<CaseRun> {
  const root = pipelineRoot({
    'checkpoints/tiny-sd1.safetensors': golden('tiny-sd1', 'model.safetensors'),
    'checkpoints/tiny-sdxl.safetensors': golden('tiny-sdxl', 'model.safetensors'),
    ...o.models,
  });
  process.env.LOOM_CACHE_DIR = path.join(root.root, 'weight-cache');
  for (const f of fs.readdirSync(dir)) if (/\.(png|jpe?g|webp)$/i.test(f)) fs.copyFileSync(path.join(dir, f), path.join(root.paths.input, f));
  const json = JSON.parse(fs.readFileSync(path.join(dir, o.workflowFile ?? 'workflow_api.json'), 'utf8')) as unknown;
  const { workflow } = loadAnyWorkflow(json, REGISTRY.schemas);
  const outputs = new Map<string, NodeOutputs>();
  await executeWorkflow({
    jobId: 'golden',
    workflow,
    registry: REGISTRY,
    cache: new OutputCache(),
    models: new ModelCache(4 * 2 ** 30),
    paths: root.paths,
    signal: new AbortController().signal,
    emit: () => {},
    observe: (id, out) => outputs.set(id, out),
    // ComfyUI's harness ran every node, output node or not
    targets: Object.keys(workflow.nodes),
  });
  return {
    outputs,
    root,
    bySlot: (key) => {
      const [node, slot] = key.split('.');
      const schema = REGISTRY.schemas[workflow.nodes[node]?.type ?? ''];
      const name = schema?.outputs[Number(slot)]?.name;
      return name ? outputs.get(node)?.[name] : undefined;
    },
  };
}

/** max |a − b| / max |b|: how goldens of sampled latents (values up to ~400) are compared. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let err = 0;
  let big = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    big = Math.max(big, Math.abs(b[i]));
  }
  return err / (big || 1);
}
