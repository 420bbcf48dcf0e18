/**
 * GET /object_info: our registry in the shape of ComfyUI's node_info (server.py), so clients build prompts, pickers and
 * typed builders from it: inputs in input order with ComfyUI's type spellings, defaults/min/max/step, combo lists
 * holding the real model and input files, outputs, flags, category. Pure: the file lists come from the caller.
 */
import { randomBytes } from 'node:crypto';
import { SEED_MAX, type InputSpec, type NodeSchema, type ParamSpec } from '../../nodes/types';
import { isWidgetSpec, type ModelFolder } from '../../nodes/types';

/** One input as ComfyUI writes it: `[TYPE]`, `[TYPE, options]` or `[[combo values], options]`. */
export type InputDef = [string | string[]] | [string | string[], Record<string, unknown>];

export interface NodeInfo {
  input: { required: Record<string, InputDef>; optional?: Record<string, InputDef> };
  input_order: { required: string[]; optional?: string[] };
  output: string[];
  output_is_list: boolean[];
  output_name: string[];
  output_tooltips?: (string | null)[];
  name: string;
  display_name: string;
  description: string;
  python_module: string;
  category: string;
  output_node: boolean;
  deprecated: boolean;
  experimental: boolean;
}

/** Where combo lists of files come from. */
export interface FileLists {
  models(folder: ModelFolder): readonly string[];
  /** files in input/ (relative names) with one of these extensions (all when undefined) */
  inputs(extensions: readonly string[] | undefined): readonly string[];
}

const withTooltip = (opts: Record<string, unknown>, description: string | undefined): Record<string, unknown> =>
  description ? { ...opts, tooltip: description } : opts;

/** A seed default stored as a decimal string (above 2^53) stays exact as a bigint; serializeJson writes it as digits. */
const exactInt = (v: number | string): number | bigint => (typeof v === 'string' ? BigInt(v) : v);

function widgetDef(p: ParamSpec, files: FileLists): InputDef {
  switch (p.kind) {
    case 'number':
      return [
        'FLOAT',
        withTooltip(
          { default: p.default, min: p.min, max: p.max, step: p.step, ...(p.round !== undefined ? { round: p.round } : {}) },
          p.description,
        ),
      ];
    case 'int': {
      const step = p.step ?? p.multipleOf;
      return [
        'INT',
        withTooltip(
          {
            default: p.default,
            min: p.min,
            max: p.max,
            ...(step !== undefined ? { step } : {}),
            ...(p.control !== undefined ? { control_after_generate: true } : {}),
          },
          p.description,
        ),
      ];
    }
    case 'seed':
      return ['INT', withTooltip({ default: exactInt(p.default), min: 0, max: SEED_MAX, control_after_generate: true }, p.description)];
    case 'text':
      return ['STRING', withTooltip({ default: p.default, ...(p.multiline ? { multiline: true } : {}) }, p.description)];
    case 'boolean':
      return ['BOOLEAN', withTooltip({ default: p.default, ...(p.labels ? { label_on: p.labels.on, label_off: p.labels.off } : {}) }, p.description)];
    case 'select':
      return [[...p.options], withTooltip({ default: p.default }, p.description)];
    case 'model':
      return [[...files.models(p.folder)], withTooltip({}, p.description)];
    case 'image':
      return [[...files.inputs(p.accept)], withTooltip(p.upload ? { image_upload: true } : {}, p.description)];
    case 'any':
      return ['*', withTooltip({ default: p.default }, p.description)];
  }
}

const socketDef = (s: InputSpec): InputDef => (s.description ? [s.type, { tooltip: s.description }] : [s.type]);

const isOptional = (item: InputSpec | ParamSpec): boolean =>
  isWidgetSpec(item) ? item.kind === 'model' && item.optional === true : item.optional === true;

export function nodeInfo(schema: NodeSchema, files: FileLists): NodeInfo {
  const required: Record<string, InputDef> = {};
  const optional: Record<string, InputDef> = {};
  const order = { required: [] as string[], optional: [] as string[] };
  for (const item of schema.io) {
    const def = isWidgetSpec(item) ? widgetDef(item, files) : socketDef(item);
    const section = isOptional(item) ? 'optional' : 'required';
    (section === 'optional' ? optional : required)[item.name] = def;
    order[section].push(item.name);
  }
  const hasOptional = order.optional.length > 0;
  return {
    input: { required, ...(hasOptional ? { optional } : {}) },
    input_order: { required: order.required, ...(hasOptional ? { optional: order.optional } : {}) },
    output: schema.outputs.map((o) => o.type),
    output_is_list: schema.outputs.map(() => false),
    output_name: schema.outputs.map((o) => o.name),
    ...(schema.outputs.some((o) => o.description) ? { output_tooltips: schema.outputs.map((o) => o.description ?? null) } : {}),
    name: schema.id,
    display_name: schema.title,
    description: schema.description,
    python_module: 'latentloom',
    category: schema.category,
    output_node: schema.output === true,
    deprecated: schema.deprecated === true,
    experimental: false,
  };
}

/** Every node a prompt can use: frontend-only ones (Note, PrimitiveNode) are editor features, absent as in ComfyUI. */
export function objectInfo(schemas: readonly NodeSchema[], files: FileLists): Record<string, NodeInfo> {
  const out: Record<string, NodeInfo> = {};
  for (const s of schemas) if (!s.frontendOnly) out[s.id] = nodeInfo(s, files);
  return out;
}

/** JSON with bigints written as exact integer literals (ComfyUI's seed max is 2^64-1, past a double's precision). */
export function serializeJson(value: unknown): string {
  const marks: string[] = [];
  // a random tag per call: no string in the value can spell a marker
  const tag = randomBytes(8).toString('hex');
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    marks.push(v.toString());
    return `${tag}:${marks.length - 1}`;
  });
  if (marks.length === 0) return text;
  return text.replace(new RegExp(`"${tag}:(\\d+)"`, 'g'), (_m, i: string) => marks[Number(i)]);
}
