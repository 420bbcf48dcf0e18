/**
 * The graph a run executes, derived from a saved workflow exactly as ComfyUI's frontend derives the prompt it queues:
 * editor-only nodes (notes) dropped, PrimitiveNode values written into the widgets they drive, muted nodes removed
 * (with the links from them), bypassed nodes replaced by a wire from their input of the same type. Client-safe.
 */
import { getSchema, type SchemaMap } from '../schemas';
import type { NodeSchema, SocketType } from '../types';
import { paramSocketType } from '../types';
import type { Workflow, WorkflowLink, WorkflowNode } from './schema';

export interface Executable {
  workflow: Workflow;
  /** node id → why a link into it was removed (muted source), so validation can say so */
  cut: Map<string, Map<string, string>>;
}

/** The socket type of input (or linked widget) `name` of a node, or null when unknown. */
export function inputType(node: WorkflowNode, name: string, schema: NodeSchema | undefined): SocketType | null {
  if (!schema) return (node.placeholder?.inputs.find((i) => i.name === name)?.type as SocketType | undefined) ?? null;
  const socket = schema.inputs.find((i) => i.name === name);
  if (socket) return socket.type;
  const param = schema.params.find((p) => p.name === name);
  return param ? paramSocketType(param) : null;
}

export function executableGraph(wf: Workflow, schemas: SchemaMap): Executable {
  const nodes: Record<string, WorkflowNode> = {};
  const cut = new Map<string, Map<string, string>>();
  const note = (id: string, input: string, why: string) => {
    if (!cut.has(id)) cut.set(id, new Map());
    cut.get(id)!.set(input, why);
  };
  const schemaOf = (id: string) => getSchema(wf.nodes[id]?.type ?? '', schemas);
  for (const [id, n] of Object.entries(wf.nodes)) {
    const s = schemaOf(id);
    if (n.mode === 'muted' || n.mode === 'bypassed' || s?.frontendOnly) continue;
    nodes[id] = { ...n, params: { ...n.params }, inputs: {} };
  }
  /** Follows a link upstream through bypassed nodes; null when it ends at nothing. */
  const resolve = (link: WorkflowLink, type: SocketType | null, hops = 0): WorkflowLink | { muted: string } | null => {
    const src = wf.nodes[link.node];
    if (!src) return link; // validation reports the dangling link
    if (src.mode === 'muted') return { muted: link.node };
    if (src.mode !== 'bypassed' || hops > Object.keys(wf.nodes).length) return link;
    const s = schemaOf(link.node);
    const slot = s ? s.outputs.findIndex((o) => o.name === link.output) : Number(link.output);
    const candidates = s ? s.inputs.map((i) => i.name) : (src.placeholder?.inputs.map((i) => i.name) ?? []);
    // ComfyUI: the input at the output's slot index if its type matches, else the first input of that type
    const order = slot >= 0 && slot < candidates.length ? [candidates[slot], ...candidates] : candidates;
    for (const name of order) {
      const t = inputType(src, name, s);
      if (type !== null && t !== null && t !== type && t !== '*' && type !== '*') continue;
      const up = src.inputs[name];
      return up ? resolve(up, type, hops + 1) : null;
    }
    return null;
  };
  for (const [id, n] of Object.entries(wf.nodes)) {
    const target = nodes[id];
    if (!target) continue;
    const s = schemaOf(id);
    for (const [name, link] of Object.entries(n.inputs)) {
      const src = wf.nodes[link.node];
      const srcSchema = schemaOf(link.node);
      if (srcSchema?.id === 'PrimitiveNode' && src) {
        // ComfyUI's frontend writes the primitive's value into the widget before queueing
        if (src.params.value !== undefined) target.params[name] = src.params.value;
        continue;
      }
      const r = resolve(link, inputType(n, name, s));
      if (r === null) note(id, name, `its source "${link.node}" is bypassed and has no input of this type linked`);
      else if ('muted' in r) note(id, name, `its source "${r.muted}" is muted`);
      else target.inputs[name] = r;
    }
  }
  return { workflow: { ...wf, nodes }, cut };
}
