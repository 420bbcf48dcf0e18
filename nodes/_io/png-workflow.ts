/**
 * The text chunks a saved PNG carries: our workflow, and ComfyUI's `prompt` and `workflow` so ComfyUI opens it too.
 * A job queued through the ComfyUI API keeps what its client sent as `extra_data.extra_pnginfo` in `meta.comfy`: each of
 * those entries becomes a chunk of its own, as ComfyUI's SaveImage writes them (the client's `workflow` replaces ours).
 */
import type { SchemaMap } from '../schemas';
import { toComfyApi, toComfyUi } from '../workflow/comfy/export';
import { PNG_WORKFLOW_KEYWORD } from '../workflow/png-text';
import type { Workflow } from '../workflow/schema';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `meta.comfy.extra_pnginfo` of a job queued through the ComfyUI API, if any. */
function extraPngInfo(wf: Workflow): Record<string, unknown> | null {
  const comfy = wf.meta?.comfy;
  return isRecord(comfy) && isRecord(comfy.extra_pnginfo) ? comfy.extra_pnginfo : null;
}

export function pngWorkflowChunks(wf: Workflow, schemas: SchemaMap): [string, string][] {
  const extra = extraPngInfo(wf);
  // the ComfyUI client's bookkeeping (client id, its own copy of the workflow) stays out of our chunk
  const meta = wf.meta && 'comfy' in wf.meta ? Object.fromEntries(Object.entries(wf.meta).filter(([k]) => k !== 'comfy')) : wf.meta;
  const ours = meta === wf.meta ? wf : { ...wf, meta };
  const chunks: [string, string][] = [
    [PNG_WORKFLOW_KEYWORD, JSON.stringify(ours)],
    ['prompt', JSON.stringify(toComfyApi(wf, schemas))],
  ];
  if (!extra || !('workflow' in extra)) chunks.push(['workflow', JSON.stringify(toComfyUi(wf, schemas))]);
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (key !== PNG_WORKFLOW_KEYWORD && key !== 'prompt') chunks.push([key, JSON.stringify(value)]);
  }
  return chunks;
}
