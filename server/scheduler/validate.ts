/** Whole-graph validation before queueing: every problem at once, each naming node, input and expectation. */
import type { ModelFolder } from '../../nodes/types';
import { getSchema, type SchemaMap } from '../../nodes/schemas';
import type { Workflow } from '../../nodes/workflow/schema';
import { closestNames } from './edit-distance';
import type { ValidationError } from './errors';
import { ancestors, nodesOnCycles, outputNodeIds } from './graph';
import { checkParam, withDefaults } from './params';

/** What validation needs to know about the outside world (fakes in tests). */
export interface ValidationEnv {
  listModels(folder: ModelFolder): readonly string[];
  inputFileExists(name: string): boolean;
  /** false for node types whose runner is not implemented yet */
  isAvailable(type: string): boolean;
}

export function validateWorkflow(wf: Workflow, schemas: SchemaMap, env: ValidationEnv): ValidationError[] {
  const errors: ValidationError[] = [];
  for (const [id, node] of Object.entries(wf.nodes)) {
    if (!getSchema(node.type, schemas)) {
      errors.push({ code: 'UNKNOWN_NODE_TYPE', nodeId: id, message: `Unknown node type "${node.type}".` });
    }
  }
  const outputs = outputNodeIds(wf, schemas);
  if (outputs.length === 0) {
    errors.push({ code: 'NO_OUTPUT_NODE', nodeId: null, message: 'The workflow has no output node (SaveImage, PreviewImage, SaveLatent or SaveCheckpoint).' });
  }
  // only what an output needs must be complete; a half-built branch elsewhere does not block a run
  const needed = outputs.length > 0 ? ancestors(wf, outputs) : new Set(Object.keys(wf.nodes));
  for (const id of needed) checkNode(wf, id, schemas, env, errors);
  const known = new Set([...needed].filter((id) => getSchema(wf.nodes[id].type, schemas)));
  for (const id of nodesOnCycles(wf, known)) {
    if (Object.values(wf.nodes[id].inputs).some((l) => known.has(l.node) && ancestors(wf, [l.node]).has(id))) {
      errors.push({ code: 'CYCLE', nodeId: id, message: `Node "${id}" depends on its own output through a cycle of links.` });
    }
  }
  return errors;
}

function checkNode(wf: Workflow, id: string, schemas: SchemaMap, env: ValidationEnv, errors: ValidationError[]): void {
  const node = wf.nodes[id];
  const schema = getSchema(node.type, schemas);
  if (!schema) return;
  if (node.version > schema.version) {
    errors.push({ code: 'UNKNOWN_NODE_TYPE', nodeId: id, message: `${schema.title} was saved by a newer Latent Loom (node version ${node.version}; this build knows ${schema.version}).` });
  }
  if (!env.isAvailable(schema.id)) {
    errors.push({ code: 'NODE_NOT_AVAILABLE', nodeId: id, message: `${schema.title} is not available yet: its runtime has not landed in this build.` });
  }
  for (const name of Object.keys(node.inputs)) {
    if (!schema.inputs.some((i) => i.name === name)) {
      errors.push({ code: 'BAD_LINK', nodeId: id, input: name, message: `${schema.title} has no input "${name}".` });
    }
  }
  for (const spec of schema.inputs) {
    const link = node.inputs[spec.name];
    if (!link) {
      if (!spec.optional) errors.push({ code: 'MISSING_INPUT', nodeId: id, input: spec.name, message: `Input "${spec.name}" (${spec.type}) is not connected.` });
      continue;
    }
    const src = wf.nodes[link.node];
    const srcSchema = src && getSchema(src.type, schemas);
    if (!src) {
      errors.push({ code: 'BAD_LINK', nodeId: id, input: spec.name, message: `Input "${spec.name}" links to node "${link.node}", which does not exist.` });
      continue;
    }
    if (!srcSchema) continue;
    const out = srcSchema.outputs.find((o) => o.name === link.output);
    if (!out) {
      errors.push({ code: 'BAD_LINK', nodeId: id, input: spec.name, message: `Input "${spec.name}" reads output "${link.output}" of ${srcSchema.title} "${link.node}", which has no such output.` });
    } else if (out.type !== spec.type) {
      errors.push({ code: 'TYPE_MISMATCH', nodeId: id, input: spec.name, message: `Input "${spec.name}" expects ${spec.type} but "${link.node}.${link.output}" gives ${out.type}.` });
    }
  }
  const params = withDefaults(schema.params, node.params);
  for (const spec of schema.params) {
    const v = params[spec.name];
    const problem = checkParam(spec, v);
    if (problem) {
      errors.push({ code: problem.code, nodeId: id, input: spec.name, message: `${spec.name}: ${problem.message}.` });
      continue;
    }
    if (spec.kind === 'model' && !(spec.optional && v === '')) {
      const names = env.listModels(spec.folder);
      if (!names.includes(v as string)) {
        const suggestions = closestNames(v as string, names);
        const hint = suggestions.length > 0 ? ` Closest: ${suggestions.join(', ')}.` : ` models/${spec.folder} is empty.`;
        const what = v === '' ? 'No model file chosen.' : `Model "${v}" not found in models/${spec.folder}.`;
        errors.push({ code: 'MODEL_NOT_FOUND', nodeId: id, input: spec.name, message: what + hint, suggestions });
      }
    }
    if (spec.kind === 'image' && !env.inputFileExists(v as string)) {
      errors.push({ code: 'FILE_NOT_FOUND', nodeId: id, input: spec.name, message: v === '' ? 'No input file chosen.' : `File "${v}" not found in input/.` });
    }
  }
}
