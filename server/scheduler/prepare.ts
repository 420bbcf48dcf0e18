/**
 * Turning what a caller sent into a job's workflow: parse any accepted format, apply overrides, resolve renamed
 * models, validate. Pure data in and out (schemas, paths), so it runs on the server thread or in the prepare worker.
 */
import type { SchemaMap } from '../../nodes/schemas';
import { loadAnyWorkflow } from '../../nodes/workflow/load';
import { WorkflowFormatError } from '../../nodes/workflow/migrate';
import type { Workflow } from '../../nodes/workflow/schema';
import type { LoomPaths } from '../config/paths';
import { diskValidationEnv, resolveModelNames } from './environment';
import type { ValidationError } from './errors';
import { applyOverrides, type Overrides } from './overrides';
import { validateWorkflow } from './validate';

export interface Prepared {
  workflow: Workflow | null;
  errors: ValidationError[];
  warnings: string[];
}

export async function prepareWorkflow(input: unknown, overrides: Overrides, schemas: SchemaMap, paths: LoomPaths): Promise<Prepared> {
  let loaded: { workflow: Workflow; warnings: string[] };
  try {
    loaded = loadAnyWorkflow(input, schemas);
  } catch (e) {
    if (!(e instanceof WorkflowFormatError)) throw e;
    const lines = e.issues.length > 0 ? e.issues : [e.message];
    return { workflow: null, warnings: [], errors: lines.map((message) => ({ code: 'INVALID_WORKFLOW', nodeId: null, message })) };
  }
  const applied = applyOverrides(loaded.workflow, overrides, schemas);
  const resolved = await resolveModelNames(applied.workflow, schemas, paths);
  const errors = [...applied.errors, ...validateWorkflow(resolved.workflow, schemas, diskValidationEnv(paths))];
  return { workflow: resolved.workflow, errors, warnings: [...loaded.warnings, ...resolved.notes] };
}

/**
 * About how many nodes a submitted workflow holds (any format, subgraph definitions included), without parsing it:
 * small ones are prepared inline, where a thread hop would cost more than the work.
 */
export function roughNodeCount(input: unknown): number {
  if (!input || typeof input !== 'object') return 0;
  const o = input as Record<string, unknown>;
  const count = (v: unknown) => (Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0);
  if (!('nodes' in o)) return count(o); // ComfyUI API format: one key per node
  let n = count(o.nodes);
  const subgraphs = (o.definitions as { subgraphs?: unknown } | undefined)?.subgraphs;
  if (Array.isArray(subgraphs)) for (const s of subgraphs) n += count((s as { nodes?: unknown } | null)?.nodes);
  return n;
}
