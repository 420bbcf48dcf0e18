/**
 * Our v2 workflow → ComfyUI's formats: the API prompt (what ComfyUI executes) and the UI workflow (what its editor
 * opens, schema 0.4). Client-safe: the editor's export menu, the CLI and SaveImage's PNG chunks all use these.
 */
import { getSchema, type SchemaMap } from '../../schemas';
import { hasControlWidget, paramSocketType, type NodeSchema, type ParamValue } from '../../types';
import { executableGraph } from '../executable';
import type { Workflow, WorkflowNode } from '../schema';

export type ComfyApiPrompt = Record<string, { class_type: string; inputs: Record<string, unknown>; _meta: { title: string } }>;

function outputIndex(src: WorkflowNode | undefined, output: string, schemas: SchemaMap): number {
  const s = src && getSchema(src.type, schemas);
  if (s) return s.outputs.findIndex((o) => o.name === output);
  const i = src?.placeholder?.outputs.findIndex((o) => o.name === output) ?? -1;
  return i >= 0 ? i : Number(output);
}

const paramsWithDefaults = (schema: NodeSchema, n: WorkflowNode): Record<string, ParamValue> =>
  Object.fromEntries(schema.params.map((p) => [p.name, n.params[p.name] ?? p.default]));

/** The prompt ComfyUI would queue for this workflow (modes resolved, primitives inlined, notes dropped). */
export function toComfyApi(wf: Workflow, schemas: SchemaMap): ComfyApiPrompt {
  const exe = executableGraph(wf, schemas).workflow;
  const out: ComfyApiPrompt = {};
  for (const [id, n] of Object.entries(exe.nodes)) {
    const schema = getSchema(n.type, schemas);
    const inputs: Record<string, unknown> = {};
    if (schema) Object.assign(inputs, paramsWithDefaults(schema, n));
    else if (n.placeholder && !Array.isArray(n.placeholder.widgets_values)) Object.assign(inputs, n.placeholder.widgets_values);
    for (const [name, link] of Object.entries(n.inputs)) inputs[name] = [link.node, outputIndex(exe.nodes[link.node], link.output, schemas)];
    out[id] = { class_type: n.type, inputs, _meta: { title: n.title ?? schema?.title ?? n.type } };
  }
  return out;
}

interface UiInputOut {
  name: string;
  type: string;
  link: number | null;
  widget?: { name: string };
}
interface UiOutputOut {
  name: string;
  type: string;
  links: number[];
  slot_index: number;
  widget?: { name: string };
}

const MODE_NUMBER = { always: 0, muted: 2, bypassed: 4 } as const;

/** The workflow as a ComfyUI UI file (schema 0.4): numeric node ids, widget values in widget order, link table. */
export function toComfyUi(wf: Workflow, schemas: SchemaMap): Record<string, unknown> {
  const ids = new Map<string, number>();
  let next =
    Math.max(
      0,
      ...Object.keys(wf.nodes)
        .filter((k) => /^\d+$/.test(k))
        .map(Number),
    ) + 1;
  for (const id of Object.keys(wf.nodes)) ids.set(id, /^\d+$/.test(id) ? Number(id) : next++);
  const links: [number, number, number, number, number, string][] = [];
  const nodes = Object.entries(wf.nodes).map(([id, n], order) => {
    const schema = getSchema(n.type, schemas);
    const inputs: UiInputOut[] = [];
    const widgets_values: unknown[] = [];
    const outputs: UiOutputOut[] = [];
    if (schema) {
      for (const i of schema.inputs) inputs.push({ name: i.name, type: i.type, link: null });
      for (const p of schema.params) {
        if (n.inputs[p.name]) inputs.push({ name: p.name, type: paramSocketType(p), link: null, widget: { name: p.name } });
        widgets_values.push(n.params[p.name] ?? p.default);
        if (hasControlWidget(p) || (p.kind === 'any' && controlOf(n, p.name)))
          widgets_values.push(controlOf(n, p.name) ?? (p.kind === 'seed' ? p.control : 'fixed'));
        if (p.kind === 'image' && p.upload) widgets_values.push('image');
      }
      schema.outputs.forEach((o, slot) => outputs.push({ name: o.name, type: o.type, links: [], slot_index: slot }));
    } else if (n.placeholder) {
      for (const i of n.placeholder.inputs)
        inputs.push({ name: i.name, type: i.type, link: null, ...(i.widget ? { widget: { name: i.name } } : {}) });
      n.placeholder.outputs.forEach((o, slot) => outputs.push({ name: o.name, type: o.type, links: [], slot_index: slot }));
      widgets_values.push(
        ...(Array.isArray(n.placeholder.widgets_values) ? n.placeholder.widgets_values : Object.values(n.placeholder.widgets_values)),
      );
    }
    const size = typeof n.ui?.width === 'number' && typeof n.ui?.height === 'number' ? [n.ui.width, n.ui.height] : [320, 120];
    return {
      id: ids.get(id)!,
      type: n.type,
      pos: [n.ui?.x ?? 0, n.ui?.y ?? 0],
      size,
      flags: { ...(n.ui?.collapsed ? { collapsed: true } : {}), ...(n.ui?.pinned ? { pinned: true } : {}) },
      order,
      mode: MODE_NUMBER[n.mode ?? 'always'],
      inputs,
      outputs,
      properties: { 'Node name for S&R': n.type },
      widgets_values,
      ...(n.title ? { title: n.title } : {}),
      ...(typeof n.ui?.color === 'string' ? { color: n.ui.color } : {}),
      ...(typeof n.ui?.bgcolor === 'string' ? { bgcolor: n.ui.bgcolor } : {}),
    };
  });
  const byId = new Map(nodes.map((n, i) => [Object.keys(wf.nodes)[i], n]));
  for (const [id, n] of Object.entries(wf.nodes)) {
    const target = byId.get(id)!;
    for (const [name, link] of Object.entries(n.inputs)) {
      const source = byId.get(link.node);
      const slot = target.inputs.findIndex((i) => i.name === name);
      if (!source || slot < 0) continue;
      const oslot = outputIndex(wf.nodes[link.node], link.output, schemas);
      const out = source.outputs[oslot];
      const type = target.inputs[slot].type;
      const linkId = links.length + 1;
      links.push([linkId, source.id, Math.max(0, oslot), target.id, slot, type]);
      target.inputs[slot].link = linkId;
      if (!out) continue;
      out.links.push(linkId);
      // a primitive's one output takes the type of the widget it drives
      if (source.type === 'PrimitiveNode' && out.type === '*') Object.assign(out, { name: type, type, widget: { name } });
    }
  }
  return {
    last_node_id: Math.max(0, ...nodes.map((n) => n.id)),
    last_link_id: links.length,
    nodes,
    links,
    groups: (wf.groups ?? []).map((g) => ({
      title: g.title,
      bounding: g.bounding,
      ...(g.color ? { color: g.color } : {}),
      font_size: g.font_size ?? 24,
    })),
    config: {},
    extra: { ds: { scale: 1, offset: [0, 0] }, latentloom: { title: wf.meta?.title } },
    version: 0.4,
  };
}

function controlOf(n: WorkflowNode, param: string): string | undefined {
  const c = (n.ui?.seed_control as Record<string, string> | undefined)?.[param];
  return typeof c === 'string' ? c : undefined;
}
