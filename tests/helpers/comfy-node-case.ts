/**
 * Node-by-node comparison with a comfy-nodes case (the image, mask and latent node tests): runs the case's
 * workflow_api.json through the engine (importer, executable graph, executeWorkflow with every node as a target) over a
 * temp data root with the tiny checkpoints and the case's PNGs placed, and keeps every node's outputs beside the
 * golden's tensors and metadata; then compares a key `<node>.<slot>[.samples]` end to end, or calls one node on the
 * golden's own inputs (callOnGoldenInputs) to isolate it from upstream drift. `only` limits the run to some nodes and
 * what they need. (tests/helpers/comfy-case.ts runs cases for the pipeline tests.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NodeOutputs } from '../../nodes/node';
import { REGISTRY } from '../../nodes/registry';
import { loadAnyWorkflow } from '../../nodes/workflow/load';
import type { Workflow } from '../../nodes/workflow/schema';
import { resolvePaths } from '../../server/config/paths';
import { ModelCache } from '../../server/runtime/model-cache';
import { executeWorkflow } from '../../server/scheduler/execute';
import { OutputCache } from '../../server/scheduler/output-cache';
import type { FloatTensor, LatentValue } from '../../server/runtime/values';
import { golden } from './golden';
import { readGoldenMetadata, readGoldenTensors, type GoldenTensor } from './read-golden';

/** One model cache for every case a test file runs: the tiny checkpoints' sessions are built once. */
const sharedModels = new ModelCache(2 ** 30);

export interface ComfyCaseRun {
  outputs: Map<string, NodeOutputs>;
  workflow: Workflow;
  gold: Map<string, GoldenTensor>;
  meta: Record<string, string>;
}

/** The workflow without nodes of classes this build lacks, nor anything downstream of them. */
function withoutUnknown(wf: Workflow): Workflow {
  const drop = new Set(Object.keys(wf.nodes).filter((id) => !REGISTRY.implementation(wf.nodes[id].type)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [id, n] of Object.entries(wf.nodes)) {
      if (!drop.has(id) && Object.values(n.inputs).some((l) => drop.has(l.node))) {
        drop.add(id);
        grew = true;
      }
    }
  }
  return { ...wf, nodes: Object.fromEntries(Object.entries(wf.nodes).filter(([id]) => !drop.has(id))) };
}

function keepOnly(wf: Workflow, ids: readonly string[]): Workflow {
  const keep = new Set<string>();
  const stack = [...ids];
  while (stack.length) {
    const id = stack.pop() as string;
    if (keep.has(id) || !wf.nodes[id]) continue;
    keep.add(id);
    for (const l of Object.values(wf.nodes[id].inputs)) stack.push(l.node);
  }
  return { ...wf, nodes: Object.fromEntries(Object.entries(wf.nodes).filter(([id]) => keep.has(id))) };
}

/**
 * `dir`: a case folder of the same layout elsewhere (default: the shared comfy-nodes case `name`); `skipUnknown`:
 * leave out nodes of classes this build lacks and what depends on them (their outputs are then simply absent).
 */
export async function runNodeCase(
  name: string,
  o: { only?: string[]; dir?: string; skipUnknown?: boolean; execute?: boolean } = {},
): Promise<ComfyCaseRun> {
  const dir = o.dir ?? golden('comfy-nodes', name);
  const json: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'workflow_api.json'), 'utf8'));
  const { workflow } = loadAnyWorkflow(json, REGISTRY.schemas);
  let runnable = o.only ? keepOnly(workflow, o.only) : workflow;
  if (o.skipUnknown) runnable = withoutUnknown(runnable);
  const gfile = path.join(dir, 'golden.safetensors');
  const gold = { gold: await readGoldenTensors(gfile), meta: await readGoldenMetadata(gfile) };
  // execute: false loads the workflow and the golden only (for calls on the golden's own inputs)
  if (o.execute === false) return { outputs: new Map(), workflow, ...gold };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `loom-comfy-${name}-`));
  try {
    const models = path.join(root, 'models', 'checkpoints');
    fs.mkdirSync(models, { recursive: true });
    for (const m of ['tiny-sd1', 'tiny-sdxl']) fs.symlinkSync(golden(m, 'model.safetensors'), path.join(models, `${m}.safetensors`));
    fs.mkdirSync(path.join(root, 'input'));
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.png')) fs.copyFileSync(path.join(dir, f), path.join(root, 'input', f));
    const outputs = new Map<string, NodeOutputs>();
    await executeWorkflow({
      jobId: name,
      workflow: runnable,
      registry: REGISTRY,
      cache: new OutputCache(),
      models: sharedModels,
      paths: resolvePaths({ root }),
      signal: new AbortController().signal,
      emit: () => {},
      observe: (id, out) => outputs.set(id, out),
      // ComfyUI's harness ran every node, sink or not
      targets: Object.keys(runnable.nodes),
    });
    return { outputs, workflow, ...gold };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Our tensor for a golden key `<node>.<slot>` or `<node>.<slot>.samples|noise_mask`; undefined when absent. */
export function ourTensor(run: ComfyCaseRun, key: string): FloatTensor | undefined {
  const [node, slot, field] = key.split('.');
  const n = run.workflow.nodes[node];
  const schema = n && REGISTRY.schemas[n.type];
  const outName = schema?.outputs[Number(slot)]?.name;
  const value = outName === undefined ? undefined : run.outputs.get(node)?.[outName];
  if (value === undefined) return undefined;
  if (field === 'samples') return (value as LatentValue).samples;
  if (field === 'noise_mask') return (value as LatentValue).noise_mask;
  return value as FloatTensor;
}

/** Golden keys of tensor outputs (node outputs, not recorded noise or conditioning) of the given nodes (all if none). */
export function outputKeys(run: ComfyCaseRun, nodes?: readonly string[]): string[] {
  return [...run.gold.keys()].filter((k) => {
    const parts = k.split('.');
    if (parts[1] === 'noise' || parts.length > 3) return false;
    return !nodes || nodes.includes(parts[0]);
  });
}

export interface Agreement {
  key: string;
  maxAbs: number;
  scale: number;
}

/** Max |ours − golden| and the golden's max |value| for one key; a missing output or a shape mismatch throws. */
export function agreement(run: ComfyCaseRun, key: string): Agreement {
  const g = run.gold.get(key);
  if (!g) throw new Error(`golden ${key} missing`);
  const ours = ourTensor(run, key);
  if (!ours) throw new Error(`${key}: the engine produced no such output`);
  if (ours.shape.join(',') !== g.shape.join(',')) throw new Error(`${key}: shape [${ours.shape.join(', ')}], golden [${g.shape.join(', ')}]`);
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < g.data.length; i++) {
    const d = Math.abs(ours.data[i] - g.data[i]);
    maxAbs = Number.isNaN(d) ? Infinity : Math.max(maxAbs, d);
    scale = Math.max(scale, Math.abs(g.data[i]));
  }
  return { key, maxAbs, scale };
}

/**
 * Calls node `id` of the case on the golden's own inputs (each linked IMAGE/MASK/LATENT input read from the golden,
 * LATENT batch_index from its metadata), with the workflow's widget values: isolates one node from upstream drift.
 */
export async function callOnGoldenInputs(run: ComfyCaseRun, id: string): Promise<NodeOutputs> {
  const node = run.workflow.nodes[id];
  const extra = JSON.parse(run.meta.latent_extra ?? '{}') as Record<string, { batch_index?: number[] }>;
  const inputs: Record<string, unknown> = {};
  for (const [name, link] of Object.entries(node.inputs)) {
    const src = run.workflow.nodes[link.node];
    // a placeholder (a class this build lacks) names its outputs by slot index
    const known = REGISTRY.schemas[src.type];
    const slot = known ? known.outputs.findIndex((o) => o.name === link.output) : Number(link.output);
    const key = `${link.node}.${slot}`;
    const plain = run.gold.get(key);
    const samples = run.gold.get(`${key}.samples`);
    if (samples) {
      const latent: LatentValue = { samples: { shape: samples.shape, data: samples.data as Float32Array } };
      const bi = extra[key]?.batch_index;
      if (bi) latent.batch_index = bi;
      const nm = run.gold.get(`${key}.noise_mask`);
      if (nm) latent.noise_mask = { shape: nm.shape, data: nm.data as Float32Array };
      inputs[name] = latent;
    } else if (plain) inputs[name] = { shape: plain.shape, data: plain.data as Float32Array };
    else throw new Error(`node ${id}: input ${name} (${key}) is not in the golden`);
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-comfy-node-'));
  try {
    const { callNode } = await import('./nodes');
    return (await callNode(node.type, node.params, inputs, { paths: resolvePaths({ root }), models: new ModelCache(1) })).outputs;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Max |ours − golden| for a golden key against an output computed by callOnGoldenInputs. */
export function diffAgainst(run: ComfyCaseRun, key: string, outputs: NodeOutputs): number {
  const [node, slot, field] = key.split('.');
  const g = run.gold.get(key);
  if (!g) throw new Error(`golden ${key} missing`);
  const name = REGISTRY.schemas[run.workflow.nodes[node].type].outputs[Number(slot)].name;
  const v = outputs[name];
  const t = (field === 'samples' ? (v as LatentValue).samples : v) as FloatTensor;
  if (t.shape.join(',') !== g.shape.join(',')) throw new Error(`${key}: shape [${t.shape.join(', ')}], golden [${g.shape.join(', ')}]`);
  let m = 0;
  for (let i = 0; i < g.data.length; i++) m = Math.max(m, Number.isNaN(t.data[i]) ? Infinity : Math.abs(t.data[i] - g.data[i]));
  return m;
}
