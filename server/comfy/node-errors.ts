/**
 * Validation failures in ComfyUI's shape (execution.py validate_prompt): `{error: {type, message, details, extra_info},
 * node_errors: {id: {errors: [...], dependent_outputs, class_type}}}`. ComfyUI's `message` texts are fixed per type;
 * ours go into `details`, which names the input and says what was expected. Pure functions, tested on their own.
 */
import { getSchema, type SchemaMap } from '../../nodes/schemas';
import { isWidgetSpec, paramSocketType, type ParamSpec, type ParamValue } from '../../nodes/types';
import type { Workflow } from '../../nodes/workflow/schema';
import type { ValidationError } from '../scheduler/errors';
import { ancestors, outputNodeIds } from '../scheduler/graph';

export interface ComfyError {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}

export interface NodeErrors {
  errors: ComfyError[];
  dependent_outputs: string[];
  class_type: string;
}

export interface PromptErrorBody {
  error: ComfyError;
  node_errors: Record<string, NodeErrors>;
}

export const topLevel = (type: string, message: string, details = message, extra_info: Record<string, unknown> = {}): PromptErrorBody => ({
  error: { type, message, details, extra_info },
  node_errors: {},
});

/** The whole answer once some nodes have errors: ComfyUI's summary line per error in `details`. */
export function failedOutputs(nodeErrors: Record<string, NodeErrors>): PromptErrorBody {
  const details = Object.values(nodeErrors)
    .flatMap((n) => n.errors.map((e) => `${e.message}: ${e.details}`))
    .join('\n');
  return {
    error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details, extra_info: {} },
    node_errors: nodeErrors,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));

/** ComfyUI's widget type name for a widget (INT, FLOAT, STRING, BOOLEAN, COMBO). */
const widgetType = (p: ParamSpec): string => paramSocketType(p);

type ApiPrompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** Output nodes of an API prompt that need `id` (follows `[node, slot]` links, missing nodes skipped). */
function apiDependents(prompt: ApiPrompt, schemas: SchemaMap): Map<string, string[]> {
  const outputs = Object.keys(prompt).filter((id) => getSchema(prompt[id].class_type, schemas)?.output === true);
  const dependents = new Map<string, string[]>();
  for (const out of outputs) {
    const seen = new Set<string>();
    const stack = [out];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (seen.has(id) || !prompt[id]) continue;
      seen.add(id);
      dependents.set(id, [...(dependents.get(id) ?? []), out]);
      for (const v of Object.values(prompt[id].inputs)) if (Array.isArray(v) && v.length === 2) stack.push(String(v[0]));
    }
  }
  return dependents;
}

/**
 * The checks ComfyUI makes before its validator and our importer would refuse with a bare sentence: every node has a
 * class_type this build knows, inputs is an object, links are `[node_id, output_index]` to an existing output, sockets
 * get links and widgets get scalars. Also converts numeric strings for INT/FLOAT widgets to numbers, as ComfyUI's
 * validator does (`int(val)`). Returns the normalized prompt, or the errors.
 */
export function precheckApiPrompt(
  prompt: Record<string, unknown>,
  schemas: SchemaMap,
): { ok: true; prompt: ApiPrompt } | { ok: false; body: PromptErrorBody } {
  const ids = Object.keys(prompt);
  if (ids.length === 0) return { ok: false, body: topLevel('invalid_prompt', 'Cannot execute an empty prompt.', 'The prompt has no nodes.') };
  for (const id of ids) {
    const node = prompt[id];
    if (!isRecord(node) || typeof node.class_type !== 'string') {
      return { ok: false, body: topLevel('invalid_prompt', 'Cannot execute because a node is missing the class_type property.', `Node ID '#${id}'`) };
    }
    if (!getSchema(node.class_type, schemas) || getSchema(node.class_type, schemas)?.frontendOnly) {
      return { ok: false, body: topLevel('invalid_prompt', `Cannot execute because node ${node.class_type} does not exist.`, `Node ID '#${id}'`) };
    }
    if (node.inputs !== undefined && !isRecord(node.inputs)) {
      return {
        ok: false,
        body: topLevel(
          'invalid_prompt',
          `Cannot execute because node #${id} (${node.class_type}) has no inputs object.`,
          `Node ID '#${id}': "inputs" must be an object, got ${show(node.inputs)}`,
        ),
      };
    }
  }
  const out: ApiPrompt = {};
  const errors = new Map<string, ComfyError[]>();
  const fail = (id: string, e: ComfyError) => errors.set(id, [...(errors.get(id) ?? []), e]);
  for (const id of ids) {
    const node = prompt[id] as { class_type: string; inputs?: Record<string, unknown> };
    const schema = getSchema(node.class_type, schemas) as NonNullable<ReturnType<typeof getSchema>>;
    const inputs: Record<string, unknown> = { ...(node.inputs ?? {}) };
    for (const [name, value] of Object.entries(inputs)) {
      const spec = schema.io.find((s) => s.name === name);
      if (!spec) continue; // ComfyUI ignores inputs a class does not declare
      if (Array.isArray(value)) {
        const [src, slot] = value as unknown[];
        if (value.length !== 2 || (typeof src !== 'string' && typeof src !== 'number') || !Number.isInteger(slot)) {
          fail(id, {
            type: 'bad_linked_input',
            message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]',
            details: `${name}, got ${show(value)}`,
            extra_info: { input_name: name, received_value: value },
          });
          continue;
        }
        const source = isRecord(prompt[String(src)]) ? (prompt[String(src)] as { class_type: string }) : null;
        const sourceSchema = source ? getSchema(source.class_type, schemas) : undefined;
        if (sourceSchema && ((slot as number) < 0 || (slot as number) >= sourceSchema.outputs.length)) {
          fail(id, {
            type: 'bad_linked_input',
            message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]',
            details: `${name}: node ${src} (${source?.class_type}) has no output ${slot as number} (it has ${sourceSchema.outputs.length})`,
            extra_info: { input_name: name, received_value: value, linked_node: value },
          });
        }
        continue;
      }
      if (!isWidgetSpec(spec)) {
        fail(id, {
          type: 'invalid_input_type',
          message: `Failed to convert an input value to a ${spec.type} value`,
          details: `${name}, ${show(value)}: a ${spec.type} input takes a link [node_id, output_index]`,
          extra_info: { input_name: name, received_value: value },
        });
        continue;
      }
      if (
        typeof value === 'string' &&
        (spec.kind === 'int' || spec.kind === 'number' || spec.kind === 'seed') &&
        /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(value)
      ) {
        // seeds above 2^53 stay strings: our seed widgets take exact decimal strings
        if (spec.kind !== 'seed' || Number.isSafeInteger(Number(value))) inputs[name] = Number(value);
        continue;
      }
      if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') {
        fail(id, {
          type: 'invalid_input_type',
          message: `Failed to convert an input value to a ${widgetType(spec)} value`,
          details: `${name}, ${show(value)}: expected a ${widgetType(spec)} value`,
          extra_info: { input_name: name, received_value: value },
        });
      }
    }
    out[id] = { ...(node as object), class_type: node.class_type, inputs };
  }
  if (errors.size === 0) return { ok: true, prompt: out };
  const dependents = apiDependents(out, schemas);
  const nodeErrors: Record<string, NodeErrors> = {};
  for (const [id, list] of errors) nodeErrors[id] = { errors: list, dependent_outputs: dependents.get(id) ?? [], class_type: out[id].class_type };
  return { ok: false, body: failedOutputs(nodeErrors) };
}

/** One of our validation errors as ComfyUI's error entry for its node. */
function nodeError(e: ValidationError, wf: Workflow | null, schemas: SchemaMap): ComfyError {
  const node = e.nodeId !== null ? wf?.nodes[e.nodeId] : undefined;
  const schema = node ? getSchema(node.type, schemas) : undefined;
  const spec = e.input ? schema?.params.find((p) => p.name === e.input) : undefined;
  const value: ParamValue | undefined = spec && node ? (node.params[spec.name] ?? spec.default) : undefined;
  const input = e.input ?? '';
  const extra: Record<string, unknown> = { ...(e.input ? { input_name: e.input } : {}), ...(value !== undefined ? { received_value: value } : {}) };
  switch (e.code) {
    case 'MISSING_INPUT':
      return { type: 'required_input_missing', message: 'Required input is missing', details: `${input}: ${e.message}`, extra_info: extra };
    case 'TYPE_MISMATCH':
      return {
        type: 'return_type_mismatch',
        message: 'Return type mismatch between linked nodes',
        details: `${input}, ${e.message}`,
        extra_info: extra,
      };
    case 'BAD_LINK':
      return {
        type: 'bad_linked_input',
        message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]',
        details: `${input}: ${e.message}`,
        extra_info: extra,
      };
    case 'INVALID_OPTION':
      return { type: 'value_not_in_list', message: 'Value not in list', details: `${input}: ${e.message}`, extra_info: extra };
    case 'MODEL_NOT_FOUND':
      return {
        type: 'value_not_in_list',
        message: 'Value not in list',
        details: `${input}: '${show(value)}' not in list. ${e.message}`,
        extra_info: { ...extra, suggestions: e.suggestions ?? [] },
      };
    case 'FILE_NOT_FOUND':
      return {
        type: 'custom_validation_failed',
        message: 'Custom validation failed for node',
        details: `${input} - Invalid image file: ${show(value)}. ${e.message}`,
        extra_info: extra,
      };
    case 'VALUE_OUT_OF_RANGE': {
      if (spec && (spec.kind === 'int' || spec.kind === 'number') && typeof value === 'number') {
        if (value < spec.min)
          return {
            type: 'value_smaller_than_min',
            message: `Value ${value} smaller than min of ${spec.min}`,
            details: `${input}: ${e.message}`,
            extra_info: extra,
          };
        if (value > spec.max)
          return {
            type: 'value_bigger_than_max',
            message: `Value ${value} bigger than max of ${spec.max}`,
            details: `${input}: ${e.message}`,
            extra_info: extra,
          };
      }
      if (spec?.kind === 'seed' && typeof value === 'number' && value < 0) {
        return {
          type: 'value_smaller_than_min',
          message: `Value ${value} smaller than min of 0`,
          details: `${input}: ${e.message}`,
          extra_info: extra,
        };
      }
      return {
        type: 'invalid_input_type',
        message: `Failed to convert an input value to a ${spec ? widgetType(spec) : 'valid'} value`,
        details: `${input}, ${show(value)}, ${e.message}`,
        extra_info: extra,
      };
    }
    case 'INVALID_VALUE':
      return {
        type: 'invalid_input_type',
        message: `Failed to convert an input value to a ${spec ? widgetType(spec) : 'valid'} value`,
        details: `${input}, ${show(value)}, ${e.message}`,
        extra_info: extra,
      };
    case 'CYCLE':
      return { type: 'dependency_cycle', message: 'Dependency cycle detected', details: e.message, extra_info: extra };
    default:
      return { type: 'invalid_prompt', message: e.message, details: `${input ? `${input}: ` : ''}${e.message}`, extra_info: extra };
  }
}

/**
 * Our validator's errors (engine.prepare) as ComfyUI's answer. `wf` is the prepared workflow (node ids are the prompt's),
 * null when the input could not be read at all. `scrub` takes server paths out of messages.
 */
export function promptErrors(
  errors: readonly ValidationError[],
  wf: Workflow | null,
  schemas: SchemaMap,
  scrub: (s: string) => string = (s) => s,
): PromptErrorBody {
  const clean = errors.map((e) => ({ ...e, message: scrub(e.message) }));
  const graphWide = clean.filter((e) => e.nodeId === null || !wf?.nodes[e.nodeId] || e.code === 'UNKNOWN_NODE_TYPE');
  const unknown = graphWide.find((e) => e.code === 'UNKNOWN_NODE_TYPE');
  if (unknown && unknown.nodeId !== null) {
    const type = wf?.nodes[unknown.nodeId]?.type ?? '?';
    return topLevel('invalid_prompt', `Cannot execute because node ${type} does not exist.`, `Node ID '#${unknown.nodeId}': ${unknown.message}`);
  }
  const format = graphWide.filter((e) => e.code === 'INVALID_WORKFLOW');
  if (format.length > 0)
    return topLevel('invalid_prompt', `Cannot execute the prompt: ${format[0].message}`, format.map((e) => e.message).join('\n'));
  const noOutput = graphWide.find((x) => x.code === 'NO_OUTPUT_NODE');
  if (noOutput) return topLevel('prompt_no_outputs', 'Prompt has no outputs', noOutput.message);
  // the rest of the graph-wide lines: a bad override, "…and 12 more problems"
  const other = graphWide.filter((e) => !(e.nodeId !== null && wf?.nodes[e.nodeId]));
  const perNode = clean.filter((e) => !other.includes(e));
  if (perNode.length === 0)
    return topLevel('invalid_prompt', `Cannot execute the prompt: ${other[0]?.message ?? 'it is invalid'}`, other.map((e) => e.message).join('\n'));
  const outputs = wf ? outputNodeIds(wf, schemas) : [];
  const upstream = new Map(outputs.map((o) => [o, wf ? ancestors(wf, [o]) : new Set<string>()]));
  const nodeErrors: Record<string, NodeErrors> = {};
  for (const e of perNode) {
    const id = e.nodeId as string;
    nodeErrors[id] ??= {
      errors: [],
      dependent_outputs: outputs.filter((o) => upstream.get(o)?.has(id)),
      class_type: wf?.nodes[id]?.type ?? '?',
    };
    nodeErrors[id].errors.push(nodeError(e, wf, schemas));
  }
  const body = failedOutputs(nodeErrors);
  if (other.length > 0) body.error.details = [body.error.details, ...other.map((e) => e.message)].join('\n');
  return body;
}

export type { ApiPrompt };
