/**
 * The one connection rule, shared by the canvas (isValidConnection) and the server validator.
 * A link goes from a node's output to a socket input or to a widget (ComfyUI "widget converted to input").
 * Linking into an input that already has a link is allowed: the new link replaces the old one.
 */
import type { SchemaMap } from './schemas';
import { getSchema } from './schemas';
import { paramSocketType, socketAccepts, type NodeSchema, type SocketType } from './types';

export interface LinkRef {
  node: string;
  output: string;
}
/** The part of a graph a connection check needs; a workflow's `nodes` map fits it. */
export interface GraphNodeLike {
  type: string;
  inputs?: Readonly<Record<string, LinkRef>>;
  placeholder?: { inputs: readonly { name: string; type: string }[]; outputs: readonly { name: string; type: string }[] };
}
export interface GraphLike {
  nodes: Readonly<Record<string, GraphNodeLike>>;
}

export type LinkProblemCode = 'BAD_LINK' | 'TYPE_MISMATCH' | 'UNKNOWN_NODE_TYPE';
export type LinkCheck = { ok: true; type: SocketType } | { ok: false; code: LinkProblemCode; reason: string };
export type ConnectResult = { ok: true; replaces?: LinkRef } | { ok: false; reason: string };

/** The type an output carries: from the schema, or a placeholder's recorded slot (by name or index). */
export function outputType(node: GraphNodeLike, schema: NodeSchema | undefined, output: string): SocketType | null {
  if (schema) return schema.outputs.find((o) => o.name === output)?.type ?? null;
  const outs = node.placeholder?.outputs ?? [];
  const o = outs.find((x) => x.name === output) ?? outs[Number(output)];
  return o ? (o.type as SocketType) : /^\d+$/.test(output) ? '*' : null;
}

/** The type an input takes, and whether it is a widget. */
export function inputSlot(node: GraphNodeLike, schema: NodeSchema | undefined, input: string): { type: SocketType; widget: boolean } | null {
  if (!schema) {
    const i = node.placeholder?.inputs.find((x) => x.name === input);
    return i ? { type: i.type as SocketType, widget: false } : null;
  }
  const socket = schema.inputs.find((i) => i.name === input);
  if (socket) return { type: socket.type, widget: false };
  const param = schema.params.find((p) => p.name === input);
  return param ? { type: paramSocketType(param), widget: true } : null;
}

const describe = (schema: NodeSchema | undefined, node: GraphNodeLike) => schema?.title ?? node.type;

/** Whether output `from` of one node may feed input (or widget) `to` of another: names exist and types fit. */
export function linkCheck(graph: GraphLike, from: LinkRef, to: { node: string; input: string }, schemas: SchemaMap): LinkCheck {
  const src = graph.nodes[from.node];
  const dst = graph.nodes[to.node];
  if (!src) return { ok: false, code: 'BAD_LINK', reason: `Source node "${from.node}" does not exist.` };
  if (!dst) return { ok: false, code: 'BAD_LINK', reason: `Target node "${to.node}" does not exist.` };
  const srcSchema = getSchema(src.type, schemas);
  const dstSchema = getSchema(dst.type, schemas);
  if (!srcSchema && !src.placeholder) return { ok: false, code: 'UNKNOWN_NODE_TYPE', reason: `Unknown node type "${src.type}".` };
  if (!dstSchema && !dst.placeholder) return { ok: false, code: 'UNKNOWN_NODE_TYPE', reason: `Unknown node type "${dst.type}".` };
  const out = outputType(src, srcSchema, from.output);
  if (out === null) return { ok: false, code: 'BAD_LINK', reason: `${describe(srcSchema, src)} "${from.node}" has no output "${from.output}".` };
  const inp = inputSlot(dst, dstSchema, to.input);
  if (!inp) return { ok: false, code: 'BAD_LINK', reason: `${describe(dstSchema, dst)} has no input "${to.input}".` };
  if (srcSchema?.id === 'PrimitiveNode' && !inp.widget) {
    return { ok: false, code: 'TYPE_MISMATCH', reason: `A Primitive drives widgets; "${to.input}" is a ${inp.type} input.` };
  }
  if (!socketAccepts(inp.type, out)) {
    return { ok: false, code: 'TYPE_MISMATCH', reason: `Type mismatch: ${out} output cannot feed ${inp.type} input "${to.input}".` };
  }
  return { ok: true, type: inp.type };
}

export function canConnect(graph: GraphLike, from: LinkRef, to: { node: string; input: string }, schemas: SchemaMap): ConnectResult {
  if (from.node === to.node) return { ok: false, reason: 'A node cannot connect to itself.' };
  const check = linkCheck(graph, from, to, schemas);
  if (!check.ok) return { ok: false, reason: check.reason };
  if (reaches(graph, from.node, to.node)) {
    return { ok: false, reason: `Connecting would create a cycle: "${from.node}" already depends on "${to.node}".` };
  }
  const existing = graph.nodes[to.node]?.inputs?.[to.input];
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
