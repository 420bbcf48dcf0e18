/**
 * ComfyUI API ("prompt") format → our v2 workflow. Node ids, class ids, input and widget names are ours already,
 * so this only turns `[node, slot]` links into named links and keeps unknown classes as placeholders.
 */
import { z } from 'zod';
import { getSchema, type SchemaMap } from '../../schemas';
import type { ParamValue } from '../../types';
import { WORKFLOW_FORMAT, WORKFLOW_VERSION, type Workflow, type WorkflowNode } from '../schema';
import type { ImportResult } from './import-ui';

const apiNode = z
  .object({
    class_type: z.string().min(1),
    inputs: z.record(z.string(), z.unknown()).default({}),
    _meta: z.object({ title: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();
export const apiFormat = z.record(z.string(), apiNode);

export function isComfyApiFormat(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || Object.keys(json).length === 0) return false;
  return apiFormat.safeParse(json).success;
}

const isLink = (v: unknown): v is [string | number, number] =>
  Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || typeof v[0] === 'number') && Number.isInteger(v[1]);

export function importComfyApi(json: unknown, schemas: SchemaMap): ImportResult {
  const parsed = apiFormat.safeParse(json);
  if (!parsed.success) return { ok: false, errors: ['Not a ComfyUI API prompt.'] };
  const prompt = parsed.data;
  const warnings: string[] = [];
  const errors: string[] = [];
  const nodes: Record<string, WorkflowNode> = {};
  for (const [id, n] of Object.entries(prompt)) {
    const schema = getSchema(n.class_type, schemas);
    const title = n._meta?.title;
    const titled = title && title !== schema?.title && title !== n.class_type ? { title } : {};
    const inputs: WorkflowNode['inputs'] = {};
    if (!schema) {
      warnings.push(`Node ${id}: "${n.class_type}" is not a node type this build knows; it is kept as a placeholder and a run that needs it fails.`);
      const values: Record<string, unknown> = {};
      const slots: { name: string; type: string }[] = [];
      for (const [name, v] of Object.entries(n.inputs)) {
        if (isLink(v)) {
          inputs[name] = { node: String(v[0]), output: outputOf(String(v[0]), v[1]) ?? String(v[1]) };
          slots.push({ name, type: '*' });
        } else values[name] = v;
      }
      nodes[id] = {
        type: n.class_type,
        version: 1,
        params: {},
        inputs,
        ...titled,
        placeholder: { inputs: slots, outputs: [], widgets_values: values },
      };
      continue;
    }
    const params: Record<string, ParamValue> = {};
    for (const [name, v] of Object.entries(n.inputs)) {
      const isSocket = schema.inputs.some((i) => i.name === name);
      const param = schema.params.find((p) => p.name === name);
      if (!isSocket && !param) {
        // ComfyUI ignores inputs a class does not declare (an alias's extra widgets, stale values)
        if (!schema.aliases?.some((a) => a.id === n.class_type && a.widgets?.includes(name)))
          warnings.push(`Node ${id} (${n.class_type}): input "${name}" is not one of its inputs; ignored.`);
        continue;
      }
      if (isLink(v)) {
        const output = outputOf(String(v[0]), v[1]);
        if (output === null)
          errors.push(`Node ${id} (${n.class_type}) input "${name}" links to output ${v[1]} of node ${v[0]}, which does not exist.`);
        else inputs[name] = { node: String(v[0]), output };
        continue;
      }
      if (isSocket) {
        errors.push(`Node ${id} (${n.class_type}) input "${name}" must be a link [node_id, output_index], got ${JSON.stringify(v)}.`);
        continue;
      }
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') params[name] = v;
      else errors.push(`Node ${id} (${n.class_type}) widget "${name}" must be a number, text or boolean, got ${JSON.stringify(v)}.`);
    }
    nodes[id] = { type: schema.id, version: 1, params, inputs, ...titled };
  }
  if (errors.length > 0) return { ok: false, errors };
  const workflow: Workflow = { format: WORKFLOW_FORMAT, version: WORKFLOW_VERSION, nodes, meta: { title: 'Imported from ComfyUI' } };
  return { ok: true, workflow, warnings };

  /** The name of output `slot` of node `src`; its index for a placeholder or a missing node (validation reports those). */
  function outputOf(src: string, slot: number): string | null {
    const n = prompt[src];
    if (!n) return String(slot);
    const s = getSchema(n.class_type, schemas);
    if (!s) return String(slot);
    return s.outputs[slot]?.name ?? null;
  }
}
