/** Parameter overrides such as {"sampler.seed": 7} or CLI `--set sampler.seed=7`. */
import type { ParamSpec, ParamValue } from '../../nodes/types';
import type { Workflow } from '../../nodes/workflow/schema';
import { getSchema, type SchemaMap } from '../../nodes/schemas';
import type { ValidationError } from './errors';

export type Overrides = Readonly<Record<string, ParamValue>>;

export function applyOverrides(wf: Workflow, overrides: Overrides, schemas: SchemaMap): { workflow: Workflow; errors: ValidationError[] } {
  const errors: ValidationError[] = [];
  const nodes = { ...wf.nodes };
  for (const [path, value] of Object.entries(overrides)) {
    const dot = path.lastIndexOf('.');
    const nodeId = path.slice(0, dot);
    const param = path.slice(dot + 1);
    const node = dot > 0 ? nodes[nodeId] : undefined;
    if (!node) {
      errors.push({ code: 'BAD_LINK', nodeId: dot > 0 ? nodeId : null, message: `Override "${path}": no node "${nodeId}" (use node.param).` });
      continue;
    }
    const spec = getSchema(node.type, schemas)?.params.find((p) => p.name === param);
    if (!spec) {
      errors.push({ code: 'INVALID_VALUE', nodeId, input: param, message: `Override "${path}": ${node.type} has no parameter "${param}".` });
      continue;
    }
    nodes[nodeId] = { ...node, params: { ...node.params, [param]: coerce(spec, value) } };
  }
  return { workflow: { ...wf, nodes }, errors };
}

/** Parses CLI `node.param=value`: JSON numbers and booleans become such, anything else stays text. */
export function parseSetArg(arg: string): [string, ParamValue] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`--set expects node.param=value, got "${arg}"`);
  const raw = arg.slice(eq + 1);
  let value: ParamValue = raw;
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw))
    value = Number.isSafeInteger(Number(raw)) || raw.includes('.') || /e/i.test(raw) ? Number(raw) : raw;
  else if (raw === 'true' || raw === 'false') value = raw === 'true';
  return [arg.slice(0, eq), value];
}

/** `--set pos.text=42` means the text "42", `--set latent.width="512"` the number: the schema says which. */
function coerce(spec: ParamSpec, value: ParamValue): ParamValue {
  const textual = spec.kind === 'text' || spec.kind === 'select' || spec.kind === 'model' || spec.kind === 'image';
  if (textual && typeof value !== 'string') return String(value);
  if ((spec.kind === 'number' || spec.kind === 'int') && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  if (spec.kind === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}
