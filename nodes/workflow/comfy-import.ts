/** Imports ComfyUI workflows, both the UI format (nodes + links arrays) and the API prompt format. Client-safe. */
import { z } from 'zod';
import type { ParamValue } from '../types';
import { COMFY_CLASSES, COMFY_IGNORED, type ComfyClassMap } from './comfy-classes';
import { WORKFLOW_FORMAT, WORKFLOW_VERSION, type Workflow, type WorkflowNode } from './schema';

export type ComfyImportResult =
  | { ok: true; workflow: Workflow; warnings: string[] }
  | { ok: false; errors: string[] };

const uiLinkTuple = z.tuple([z.number(), z.union([z.number(), z.string()]), z.number(), z.union([z.number(), z.string()]), z.number()]).rest(z.unknown());
const uiLinkObject = z.object({
  id: z.number(), origin_id: z.union([z.number(), z.string()]), origin_slot: z.number(),
  target_id: z.union([z.number(), z.string()]), target_slot: z.number(),
});
const uiNode = z.object({
  id: z.union([z.number(), z.string()]),
  type: z.string(),
  pos: z.union([z.tuple([z.number(), z.number()]), z.object({ 0: z.number(), 1: z.number() })]).optional(),
  mode: z.number().optional(),
  widgets_values: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
  inputs: z.array(z.object({ name: z.string(), link: z.number().nullable().optional(), widget: z.unknown().optional() })).optional(),
});
const uiFormat = z.object({ nodes: z.array(uiNode), links: z.array(z.union([uiLinkTuple, uiLinkObject])).default([]) });
const apiFormat = z.record(z.string(), z.object({ class_type: z.string(), inputs: z.record(z.string(), z.unknown()).default({}) }));

export function isComfyUiFormat(json: unknown): boolean {
  return uiFormat.safeParse(json).success;
}
export function isComfyApiFormat(json: unknown): boolean {
  return !isComfyUiFormat(json) && apiFormat.safeParse(json).success && Object.keys(json as object).length > 0;
}

function toParam(map: ComfyClassMap, ours: string, value: unknown): ParamValue | undefined {
  if (map.enableFlags?.includes(ours) && typeof value === 'string') return value === 'enable';
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return undefined;
}

function unknownError(classes: Map<string, string[]>): string[] {
  return [...classes].map(([cls, ids]) => `Unknown ComfyUI class "${cls}" (node ${ids.join(', ')}) has no Latent Loom equivalent.`);
}

export function importComfyUi(json: unknown): ComfyImportResult {
  const parsed = uiFormat.safeParse(json);
  if (!parsed.success) return { ok: false, errors: ['Not a ComfyUI workflow (UI format).'] };
  const { nodes, links } = parsed.data;
  const unknown = new Map<string, string[]>();
  const warnings: string[] = [];
  const errors: string[] = [];
  const out: Record<string, WorkflowNode> = {};
  const byId = new Map(nodes.map((n) => [String(n.id), n]));
  for (const n of nodes) {
    if (COMFY_IGNORED.has(n.type)) continue;
    const map = COMFY_CLASSES[n.type];
    if (!map) {
      unknown.set(n.type, [...(unknown.get(n.type) ?? []), String(n.id)]);
      continue;
    }
    const params: Record<string, ParamValue> = { ...map.fixed };
    const values = n.widgets_values;
    // widgets converted to inputs are not in widgets_values in old files but are in new ones; both keep widget order
    map.widgets.forEach(([comfyName, ours], i) => {
      const raw = Array.isArray(values) ? values[i] : values?.[comfyName];
      if (ours === null || raw === undefined) return;
      const v = toParam(map, ours, raw);
      if (v === undefined) warnings.push(`Node ${n.id} (${n.type}): widget "${comfyName}" has an unsupported value.`);
      else params[ours] = v;
    });
    const pos = n.pos ? (Array.isArray(n.pos) ? n.pos : [n.pos[0], n.pos[1]]) : undefined;
    out[String(n.id)] = { type: map.type, version: 1, params, inputs: {}, ...(pos ? { ui: { x: pos[0], y: pos[1] } } : {}) };
  }
  for (const raw of links) {
    const l = Array.isArray(raw)
      ? { origin_id: raw[1], origin_slot: raw[2], target_id: raw[3], target_slot: raw[4] }
      : raw;
    const src = byId.get(String(l.origin_id));
    const dst = byId.get(String(l.target_id));
    const srcMap = src && COMFY_CLASSES[src.type];
    const dstMap = dst && COMFY_CLASSES[dst.type];
    if (!src || !dst || !srcMap || !dstMap) continue;
    const inputName = dst.inputs?.[l.target_slot]?.name;
    const ours = inputName === undefined ? undefined : dstMap.inputs[inputName];
    const output = srcMap.outputs[l.origin_slot];
    if (!ours || !output) {
      errors.push(`Link from node ${src.id} (${src.type}) slot ${l.origin_slot} to node ${dst.id} (${dst.type}) input "${inputName ?? l.target_slot}" cannot be imported.`);
      continue;
    }
    out[String(dst.id)].inputs[ours] = { node: String(src.id), output };
  }
  const all = [...unknownError(unknown), ...errors];
  if (all.length > 0) return { ok: false, errors: all };
  return { ok: true, workflow: wrap(out), warnings };
}

export function importComfyApi(json: unknown): ComfyImportResult {
  const parsed = apiFormat.safeParse(json);
  if (!parsed.success) return { ok: false, errors: ['Not a ComfyUI API prompt.'] };
  const unknown = new Map<string, string[]>();
  const errors: string[] = [];
  const warnings: string[] = [];
  const out: Record<string, WorkflowNode> = {};
  for (const [id, n] of Object.entries(parsed.data)) {
    const map = COMFY_CLASSES[n.class_type];
    if (!map) {
      unknown.set(n.class_type, [...(unknown.get(n.class_type) ?? []), id]);
      continue;
    }
    const params: Record<string, ParamValue> = { ...map.fixed };
    const inputs: WorkflowNode['inputs'] = {};
    for (const [name, value] of Object.entries(n.inputs)) {
      if (Array.isArray(value)) {
        const [srcId, slot] = value as [unknown, unknown];
        const srcClass = parsed.data[String(srcId)]?.class_type;
        const output = srcClass ? COMFY_CLASSES[srcClass]?.outputs[Number(slot)] : undefined;
        const ours = map.inputs[name];
        if (!ours || (srcClass && COMFY_CLASSES[srcClass] && !output)) {
          errors.push(`Node ${id} (${n.class_type}) input "${name}" cannot be imported.`);
        } else if (output) inputs[ours] = { node: String(srcId), output };
        continue;
      }
      const widget = map.widgets.find(([comfyName]) => comfyName === name);
      if (!widget || widget[1] === null) continue;
      const v = toParam(map, widget[1], value);
      if (v === undefined) warnings.push(`Node ${id} (${n.class_type}): "${name}" has an unsupported value.`);
      else params[widget[1]] = v;
    }
    out[id] = { type: map.type, version: 1, params, inputs };
  }
  const all = [...unknownError(unknown), ...errors];
  if (all.length > 0) return { ok: false, errors: all };
  return { ok: true, workflow: wrap(out), warnings };
}

function wrap(nodes: Record<string, WorkflowNode>): Workflow {
  return { format: WORKFLOW_FORMAT, version: WORKFLOW_VERSION, nodes, meta: { title: 'Imported from ComfyUI' } };
}
