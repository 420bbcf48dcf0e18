/**
 * Pure connection check shared by the canvas (isValidConnection) and the server validator.
 * Linking into an input that already has a link is allowed: the new link replaces the old one.
 */
import type { SchemaMap } from './schemas';
import { getSchema } from './schemas';

export interface LinkRef {
  node: string;
  output: string;
}
/** The part of a graph a connection check needs; a workflow's `nodes` map fits it. */
export interface GraphLike {
  nodes: Readonly<Record<string, { type: string; inputs?: Readonly<Record<string, LinkRef>> }>>;
}

export type ConnectResult = { ok: true; replaces?: LinkRef } | { ok: false; reason: string };

export function canConnect(
  graph: GraphLike,
  from: { node: string; output: string },
  to: { node: string; input: string },
  schemas: SchemaMap,
): ConnectResult {
  if (from.node === to.node) return { ok: false, reason: 'A node cannot connect to itself.' };
  const src = graph.nodes[from.node];
  const dst = graph.nodes[to.node];
  if (!src) return { ok: false, reason: `Source node "${from.node}" does not exist.` };
  if (!dst) return { ok: false, reason: `Target node "${to.node}" does not exist.` };
  const srcSchema = getSchema(src.type, schemas);
  const dstSchema = getSchema(dst.type, schemas);
  if (!srcSchema) return { ok: false, reason: `Unknown node type "${src.type}".` };
  if (!dstSchema) return { ok: false, reason: `Unknown node type "${dst.type}".` };
  const out = srcSchema.outputs.find((o) => o.name === from.output);
  if (!out) return { ok: false, reason: `${srcSchema.title} has no output "${from.output}".` };
  const inp = dstSchema.inputs.find((i) => i.name === to.input);
  if (!inp) return { ok: false, reason: `${dstSchema.title} has no input "${to.input}".` };
  if (out.type !== inp.type) {
    return { ok: false, reason: `Type mismatch: ${out.type} output cannot feed ${inp.type} input "${to.input}".` };
  }
  if (reaches(graph, from.node, to.node)) {
    return { ok: false, reason: `Connecting would create a cycle: "${from.node}" already depends on "${to.node}".` };
  }
  const existing = dst.inputs?.[to.input];
  if (existing && (existing.node !== from.node || existing.output !== from.output)) return { ok: true, replaces: existing };
  return { ok: true };
}

/** Whether `start` depends (directly or not) on `target`, following input links upstream. */
function reaches(graph: GraphLike, start: string, target: string): boolean {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === target) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const link of Object.values(graph.nodes[id]?.inputs ?? {})) stack.push(link.node);
  }
  return false;
}
