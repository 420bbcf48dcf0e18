/** One entry point for any workflow JSON a user hands us: ours (any version) or ComfyUI's two formats. */
import { importComfyApi, importComfyUi, isComfyApiFormat, isComfyUiFormat } from './comfy-import';
import { parseWorkflow, WorkflowFormatError } from './migrate';
import { WORKFLOW_FORMAT, type Workflow } from './schema';

export function loadAnyWorkflow(json: unknown): { workflow: Workflow; warnings: string[] } {
  if (typeof json === 'object' && json !== null && (json as { format?: unknown }).format === WORKFLOW_FORMAT) {
    return { workflow: parseWorkflow(json), warnings: [] };
  }
  const result = isComfyUiFormat(json) ? importComfyUi(json) : isComfyApiFormat(json) ? importComfyApi(json) : null;
  if (!result) throw new WorkflowFormatError('Not a Latent Loom or ComfyUI workflow.');
  if (!result.ok) throw new WorkflowFormatError(result.errors.join('\n'), result.errors);
  return { workflow: result.workflow, warnings: result.warnings };
}
