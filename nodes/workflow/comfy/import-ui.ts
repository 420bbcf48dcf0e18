/**
 * ComfyUI UI format → our v2 workflow, keeping everything: node ids, modes, titles, layout, groups, notes,
 * primitives (as nodes driving widgets), links into widgets, and unknown classes as placeholders.
 * Client-safe: the canvas imports dropped files with it.
 */
import { getSchema, type SchemaMap } from '../../schemas';
import { hasControlWidget, SEED_CONTROLS, type NodeSchema, type ParamSpec, type ParamValue, type SeedControl } from '../../types';
import { WORKFLOW_FORMAT, WORKFLOW_VERSION, type NodeMode, type Workflow, type WorkflowNode } from '../schema';
import { flattenUiWorkflow, type FlatNode } from './flatten';
import { uiWorkflow, xy, type NormalLink, type UiNode } from './ui-format';

export type ImportResult = { ok: true; workflow: Workflow; warnings: string[] } | { ok: false; errors: string[] };

/** ComfyUI node modes: 0 always, 1 on event, 2 never, 3 on trigger, 4 bypass. */
export function modeOf(mode: number | undefined): NodeMode | undefined {
  if (mode === 2) return 'muted';
  if (mode === 4) return 'bypassed';
  return undefined;
}

const isScalar = (v: unknown): v is ParamValue => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
const isControl = (v: unknown): v is SeedControl => typeof v === 'string' && (SEED_CONTROLS as readonly string[]).includes(v);
/** LoadImage values may carry ComfyUI's folder annotation ("x.png [input]"). */
const stripAnnotation = (v: string) => v.replace(/ \[(input|output|temp)\]$/, '');

export function isComfyUiFormat(json: unknown): boolean {
  return uiWorkflow.safeParse(json).success;
}

/** Widget values in the order the UI stores them: the schema's widgets, or the alias class's order. */
function widgetOrder(schema: NodeSchema, type: string): (ParamSpec | null)[] {
  const alias = schema.id === type ? undefined : schema.aliases?.find((a) => a.id === type);
  if (!alias?.widgets) return [...schema.params];
  return alias.widgets.map((name) => schema.params.find((p) => p.name === name) ?? null);
}

function readParams(
  n: UiNode,
  schema: NodeSchema,
  warn: (m: string) => void,
): { params: Record<string, ParamValue>; controls: Record<string, SeedControl> } {
  const params: Record<string, ParamValue> = {};
  const controls: Record<string, SeedControl> = {};
  const values = n.widgets_values;
  const set = (p: ParamSpec, v: unknown) => {
    if (v === undefined || v === null) return;
    if (!isScalar(v)) {
      warn(`Node ${n.id} (${n.type}): widget "${p.name}" has a value of an unsupported kind; the default is used.`);
      return;
    }
    params[p.name] = p.kind === 'image' && typeof v === 'string' ? stripAnnotation(v) : v;
  };
  if (Array.isArray(values)) {
    let i = 0;
    for (const p of widgetOrder(schema, n.type)) {
      const v = values[i++];
      if (!p) continue;
      set(p, v);
      // a PrimitiveNode stores the control of the widget it drives after its value
      if (hasControlWidget(p) || p.kind === 'any') {
        const c = values[i];
        // old files may lack the control value: only consume it when it is one
        if (isControl(c)) {
          controls[p.name] = c;
          i++;
        }
      }
      if (p.kind === 'image' && p.upload && (values[i] === 'image' || values[i] === null)) i++;
    }
  } else if (values) {
    for (const p of schema.params) set(p, values[p.name]);
  }
  const promoted = n.properties?.__promoted as Record<string, unknown> | undefined;
  for (const p of schema.params) if (promoted && p.name in promoted) set(p, promoted[p.name]);
  return { params, controls };
}

function uiOf(n: UiNode, controls: Record<string, SeedControl>): WorkflowNode['ui'] {
  const pos = xy(n.pos) ?? [0, 0];
  const size = xy(n.size);
  return {
    x: pos[0],
    y: pos[1],
    ...(size ? { width: size[0], height: size[1] } : {}),
    ...(n.flags?.collapsed ? { collapsed: true } : {}),
    ...(n.flags?.pinned ? { pinned: true } : {}),
    ...(n.color ? { color: n.color } : {}),
    ...(n.bgcolor ? { bgcolor: n.bgcolor } : {}),
    ...(Object.keys(controls).length ? { seed_control: controls } : {}),
  };
}

/** The name a link into input slot `slot` of `n` fills: a widget's name, an input's name, or for placeholders the UI name. */
function inputKey(n: UiNode, slot: number, schema: NodeSchema | undefined): string | null {
  const input = n.inputs?.[slot];
  if (!input) return null;
  if (input.widget) return input.widget.name;
  if (!schema) return input.name;
  if (schema.inputs.some((i) => i.name === input.name) || schema.params.some((p) => p.name === input.name)) return input.name;
  // renamed input in an old file: the k-th socket of the UI is the k-th socket of the schema
  const k = (n.inputs ?? []).slice(0, slot).filter((i) => !i.widget).length;
  return schema.inputs[k]?.name ?? null;
}

function outputName(_src: FlatNode, slot: number, schema: NodeSchema | undefined): string | null {
  if (!schema) return String(slot);
  return schema.outputs[slot]?.name ?? null;
}

export function importComfyUi(json: unknown, schemas: SchemaMap): ImportResult {
  const parsed = uiWorkflow.safeParse(json);
  if (!parsed.success) return { ok: false, errors: ['Not a ComfyUI workflow (UI format).'] };
  let flat: ReturnType<typeof flattenUiWorkflow>;
  try {
    flat = flattenUiWorkflow(parsed.data, schemas);
  } catch (e) {
    return { ok: false, errors: [e instanceof Error ? e.message : String(e)] };
  }
  const warnings = [...flat.warnings];
  const warn = (m: string) => warnings.push(m);
  const nodes: Record<string, WorkflowNode> = {};
  const byId = new Map(flat.nodes.map((f) => [f.id, f]));
  const schemaOf = (f: FlatNode) => getSchema(f.node.type, schemas);
  for (const f of flat.nodes) {
    const n = f.node;
    const schema = schemaOf(f);
    const mode = modeOf(n.mode);
    const base = {
      version: 1,
      inputs: {},
      ...(mode ? { mode } : {}),
      ...(n.title && n.title !== schema?.title && n.title !== n.type ? { title: n.title } : {}),
    };
    if (!schema) {
      warn(`Node ${f.id}: "${n.type}" is not a node type this build knows; it is kept as a placeholder and a run that needs it fails.`);
      nodes[f.id] = {
        ...base,
        type: n.type,
        params: {},
        ui: uiOf(n, {}),
        placeholder: {
          inputs: (n.inputs ?? []).map((i) => ({ name: i.widget?.name ?? i.name, type: i.type ?? '*', ...(i.widget ? { widget: true } : {}) })),
          outputs: (n.outputs ?? []).map((o) => ({ name: o.name, type: o.type ?? '*' })),
          widgets_values: n.widgets_values ?? [],
        },
      };
      continue;
    }
    const { params, controls } = readParams(n, schema, warn);
    nodes[f.id] = { ...base, type: schema.id, params, ui: uiOf(n, controls) };
  }
  for (const l of flat.links) linkUp(l);
  function linkUp(l: NormalLink): void {
    const src = byId.get(l.origin);
    const dst = byId.get(l.target);
    if (!src || !dst || !nodes[l.target]) {
      warn(`A link from node ${l.origin} to node ${l.target} points at a node that is not in the file; it was dropped.`);
      return;
    }
    const dstSchema = schemaOf(dst);
    const key = inputKey(dst.node, l.targetSlot, dstSchema);
    const output = outputName(src, l.originSlot, schemaOf(src));
    if (!key || !output) {
      warn(
        `Link from node ${l.origin} (${src.node.type}) output ${l.originSlot} to node ${l.target} (${dst.node.type}) input ${l.targetSlot} matches no input or output; it was dropped.`,
      );
      return;
    }
    nodes[l.target].inputs[key] = { node: l.origin, output };
  }
  const workflow: Workflow = {
    format: WORKFLOW_FORMAT,
    version: WORKFLOW_VERSION,
    nodes,
    ...(parsed.data.groups?.length
      ? {
          groups: parsed.data.groups.map((g) => ({
            title: g.title ?? 'Group',
            bounding: g.bounding,
            ...(g.color ? { color: g.color } : {}),
            ...(g.font_size ? { font_size: g.font_size } : {}),
          })),
        }
      : {}),
    meta: { title: 'Imported from ComfyUI' },
  };
  return { ok: true, workflow, warnings };
}
