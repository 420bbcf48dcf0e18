/**
 * Whole-graph validation before queueing: every problem at once, each naming node, input and expectation.
 * Runs on the graph a run would execute (modes resolved, primitives inlined), in time linear in nodes + links.
 */
import { linkCheck } from '../../nodes/connect';
import { checkParam, withDefaults } from '../../nodes/params';
import { getSchema, type SchemaMap } from '../../nodes/schemas';
import type { ModelFolder } from '../../nodes/types';
import { executableGraph } from '../../nodes/workflow/executable';
import type { Workflow } from '../../nodes/workflow/schema';
import type { ValidationError } from './errors';
import { ancestors, nodesOnCycles, outputNodeIds } from './graph';

export type ModelLookup = { ok: true } | { ok: false; message: string; suggestions: string[] };

/** What validation needs to know about the outside world (fakes in tests). */
export interface ValidationEnv {
  findModel(folder: ModelFolder, name: string): ModelLookup;
  inputFileExists(name: string): boolean;
}

export function validateWorkflow(saved: Workflow, schemas: SchemaMap, env: ValidationEnv): ValidationError[] {
  const errors: ValidationError[] = [];
  const { workflow: wf, cut } = executableGraph(saved, schemas);
  const outputs = outputNodeIds(wf, schemas);
  if (outputs.length === 0) {
    const unknown = Object.values(wf.nodes)
      .filter((n) => !getSchema(n.type, schemas))
      .map((n) => n.type);
    const hint = unknown.length ? ` (unknown node types here, possibly outputs: ${[...new Set(unknown)].join(', ')})` : '';
    errors.push({
      code: 'NO_OUTPUT_NODE',
      nodeId: null,
      message: `The workflow has no output node to run (SaveImage, PreviewImage, SaveLatent, CheckpointSave…)${hint}.`,
    });
  }
  // only what an output needs must be complete; a half-built branch elsewhere does not block a run
  const needed = outputs.length > 0 ? ancestors(wf, outputs) : new Set<string>();
  for (const id of needed) checkNode(wf, id, schemas, env, errors, cut.get(id));
  for (const id of nodesOnCycles(wf, needed)) {
    errors.push({ code: 'CYCLE', nodeId: id, message: `Node "${id}" depends on its own output through a cycle of links.` });
  }
  return capped(errors);
}

/** Enough problems to fix the first ones; a 20,000-node cycle is not 20,000 lines. */
export const MAX_REPORTED_ERRORS = 100;

function capped(errors: ValidationError[]): ValidationError[] {
  if (errors.length <= MAX_REPORTED_ERRORS) return errors;
  const rest = errors.slice(MAX_REPORTED_ERRORS - 1);
  const codes = [...new Set(rest.map((e) => e.code))].join(', ');
  return [
    ...errors.slice(0, MAX_REPORTED_ERRORS - 1),
    { code: rest[0].code, nodeId: null, message: `…and ${rest.length} more problems (${codes}) not listed.` },
  ];
}

function checkNode(
  wf: Workflow,
  id: string,
  schemas: SchemaMap,
  env: ValidationEnv,
  errors: ValidationError[],
  cut: Map<string, string> | undefined,
): void {
  const node = wf.nodes[id];
  const schema = getSchema(node.type, schemas);
  if (!schema) {
    errors.push({
      code: 'UNKNOWN_NODE_TYPE',
      nodeId: id,
      message: `"${node.type}" is not a node type this build knows (kept as a placeholder); an output needs it, so the workflow cannot run.`,
    });
    return;
  }
  if (node.version > schema.version) {
    errors.push({
      code: 'UNKNOWN_NODE_TYPE',
      nodeId: id,
      message: `${schema.title} was saved by a newer Latent Loom (node version ${node.version}; this build knows ${schema.version}).`,
    });
  }
  for (const [name, link] of Object.entries(node.inputs)) {
    const check = linkCheck(wf, link, { node: id, input: name }, schemas);
    if (!check.ok) {
      const missing = !wf.nodes[link.node];
      const reason = missing ? `Input "${name}" links to node "${link.node}", which does not exist.` : check.reason;
      errors.push({ code: check.code, nodeId: id, input: name, message: reason });
    }
  }
  for (const spec of schema.inputs) {
    if (node.inputs[spec.name] || spec.optional) continue;
    const why = cut?.get(spec.name);
    errors.push({
      code: 'MISSING_INPUT',
      nodeId: id,
      input: spec.name,
      message: `Input "${spec.name}" (${spec.type}) is not connected${why ? `: ${why}` : ''}.`,
    });
  }
  const params = withDefaults(schema.params, node.params);
  for (const spec of schema.params) {
    if (node.inputs[spec.name]) continue; // driven by a link: checked when its value arrives
    const v = params[spec.name];
    const problem = checkParam(spec, v);
    if (problem) {
      errors.push({ code: problem.code, nodeId: id, input: spec.name, message: `${spec.name}: ${problem.message}.` });
      continue;
    }
    if (spec.kind === 'model' && !(spec.optional && v === '')) {
      const found = env.findModel(spec.folder, v as string);
      if (!found.ok) {
        const hint = found.suggestions.length > 0 ? ` Closest: ${found.suggestions.join(', ')}.` : '';
        errors.push({ code: 'MODEL_NOT_FOUND', nodeId: id, input: spec.name, message: `${found.message}.${hint}`, suggestions: found.suggestions });
      }
    }
    if (spec.kind === 'image' && !env.inputFileExists(v as string)) {
      errors.push({
        code: 'FILE_NOT_FOUND',
        nodeId: id,
        input: spec.name,
        message: v === '' ? 'No input file chosen.' : `File "${v}" not found in input/.`,
      });
    }
  }
}
