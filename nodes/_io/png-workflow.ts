/** The text chunks a saved PNG carries: our workflow, and ComfyUI's `prompt` and `workflow` so ComfyUI opens it too. */
import type { SchemaMap } from '../schemas';
import { toComfyApi, toComfyUi } from '../workflow/comfy/export';
import { PNG_WORKFLOW_KEYWORD } from '../workflow/png-text';
import type { Workflow } from '../workflow/schema';

export function pngWorkflowChunks(wf: Workflow, schemas: SchemaMap): [string, string][] {
  return [
    [PNG_WORKFLOW_KEYWORD, JSON.stringify(wf)],
    ['prompt', JSON.stringify(toComfyApi(wf, schemas))],
    ['workflow', JSON.stringify(toComfyUi(wf, schemas))],
  ];
}
