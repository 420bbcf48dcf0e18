/** One entry point for any workflow JSON a user hands us: ours (any version, migrated) or ComfyUI's two formats. */
import type { SchemaMap } from '../schemas';
import { importComfyApi, isComfyApiFormat } from './comfy/import-api';
import { importComfyUi, isComfyUiFormat } from './comfy/import-ui';
import { parseWorkflow, WorkflowFormatError } from './migrate';
import { WORKFLOW_FORMAT, type Workflow } from './schema';

export type WorkflowSource = 'latentloom' | 'comfy-ui' | 'comfy-api';

export function detectFormat(json: unknown): WorkflowSource | null {
  if (typeof json === 'object' && json !== null && (json as { format?: unknown }).format === WORKFLOW_FORMAT) return 'latentloom';
  if (isComfyUiFormat(json)) return 'comfy-ui';
  if (isComfyApiFormat(json)) return 'comfy-api';
  return null;
}

export function loadAnyWorkflow(json: unknown, schemas: SchemaMap): { workflow: Workflow; warnings: string[]; source: WorkflowSource } {
  const source = detectFormat(json);
  if (source === 'latentloom') return { workflow: parseWorkflow(json), warnings: [], source };
  const result = source === 'comfy-ui' ? importComfyUi(json, schemas) : source === 'comfy-api' ? importComfyApi(json, schemas) : null;
  if (!result) throw new WorkflowFormatError('Not a Latent Loom or ComfyUI workflow.');
  if (!result.ok) throw new WorkflowFormatError(result.errors.join('\n'), result.errors);
  return { workflow: result.workflow, warnings: result.warnings, source: source! };
}
