import { useGraphStore } from '@/app/stores/graphStore';
import { useRunStore } from '@/app/stores/runStore';
import { useTemplateStore } from '@/app/stores/templateStore';
import { useToastStore } from '@/app/stores/toastStore';
import { useViewStore } from '@/app/stores/viewStore';
import { selectionToWorkflow, workflowForPaste } from './clipboard';
import { enqueueJob, errorMessage, saveToLibrary } from './engineApi';
import { PNG_WORKFLOW_KEYWORD, readPngTextChunks } from '@/nodes/workflow/png-text';
import { toComfyApi, toComfyUi } from '@/nodes/workflow/comfy/export';
import { type Workflow, graphToWorkflow, parseWorkflow, withVersions, workflowToGraph } from './workflow';

/** Glue between stores and the engine for commands the toolbar, shortcuts and drops share. */

export function currentWorkflow(): Workflow {
  const { nodes, edges, groups } = useGraphStore.getState();
  return withVersions(graphToWorkflow({ nodes, edges, groups }), useTemplateStore.getState().byId);
}

/** Replaces the canvas with a workflow file's graph (ours or ComfyUI's); one undo step. */
export function loadWorkflowValue(value: unknown, label: string): boolean {
  const toast = useToastStore.getState().push;
  const { byId } = useTemplateStore.getState();
  const parsed = parseWorkflow(value, byId);
  if (!parsed.ok) {
    toast(`${label}: ${parsed.reason}`, 'error');
    return false;
  }
  const unknown = Object.entries(parsed.workflow.nodes).filter(([, n]) => !byId[n.type]);
  for (const w of parsed.warnings.filter((w) => !/is not a node type this build knows/.test(w))) toast(w);
  if (unknown.length > 0) toast(`Unknown node types kept as placeholders: ${[...new Set(unknown.map(([, n]) => n.type))].join(', ')}`, 'error');
  useGraphStore.getState().replaceGraph(workflowToGraph(parsed.workflow, byId));
  useRunStore.getState().clearIssues();
  useViewStore.getState().requestFit();
  toast(`Loaded ${label}`);
  return true;
}

export async function openFile(file: File): Promise<boolean> {
  const toast = useToastStore.getState().push;
  try {
    if (file.type === 'image/png' || file.name.toLowerCase().endsWith('.png')) {
      const chunks = readPngTextChunks(new Uint8Array(await file.arrayBuffer()));
      // Ours first, then ComfyUI's UI format, then its API prompt.
      const text = chunks[PNG_WORKFLOW_KEYWORD] ?? chunks.workflow ?? chunks.prompt;
      const embedded: unknown = text === undefined ? undefined : JSON.parse(text);
      if (embedded === undefined) {
        toast(`${file.name} has no embedded workflow`, 'error');
        return false;
      }
      return loadWorkflowValue(embedded, file.name);
    }
    return loadWorkflowValue(JSON.parse(await file.text()), file.name);
  } catch (err) {
    toast(`Could not open ${file.name}: ${errorMessage(err)}`, 'error');
    return false;
  }
}

function nextSeed(value: string | number | boolean | undefined, control: string): string | number | undefined {
  if (control === 'fixed') return undefined;
  if (control === 'increment') {
    const n = BigInt(typeof value === 'number' || typeof value === 'string' ? String(value || 0) : 0) + 1n;
    return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
  }
  return Math.floor(Math.random() * 2 ** 48);
}

/** ComfyUI's "control after generate": seeds change once a run is accepted. */
function applySeedControls() {
  const { nodes, setParam } = useGraphStore.getState();
  const { byId } = useTemplateStore.getState();
  for (const n of nodes) {
    for (const p of byId[n.data.type]?.params ?? []) {
      if (p.kind !== 'seed') continue;
      const next = nextSeed(n.data.params[p.name], n.data.seedControl?.[p.name] ?? p.control);
      if (next !== undefined) setParam(n.id, p.name, next, false);
    }
  }
}

export async function queueCurrent(): Promise<void> {
  const toast = useToastStore.getState().push;
  const run = useRunStore.getState();
  const wf = currentWorkflow();
  try {
    // The engine validates on enqueue and answers with every problem at once.
    const result = await enqueueJob(wf);
    if (!result.ok) {
      run.showIssues(result.issues);
      const first = result.issues[0];
      toast(`${result.issues.length} problem${result.issues.length > 1 ? 's' : ''}${first ? `: ${first.message}` : ''}`, 'error');
      return;
    }
    run.jobQueued(result.jobId, Object.keys(wf.nodes));
    applySeedControls();
    for (const w of result.warnings) toast(w);
    toast(`Queued job ${result.jobId}`);
  } catch (err) {
    toast(`Queue failed: ${errorMessage(err)}`, 'error');
  }
}

export function copySelectionText(): string | null {
  const { nodes, edges } = useGraphStore.getState();
  const wf = selectionToWorkflow({ nodes, edges });
  return wf ? JSON.stringify(wf, null, 2) : null;
}

/** Pastes workflow JSON from the clipboard as new nodes beside the originals. */
export function pasteText(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  const parsed = parseWorkflow(value, useTemplateStore.getState().byId);
  if (!parsed.ok) return false;
  const graph = useGraphStore.getState();
  graph.insert(workflowForPaste(parsed.workflow, graph, useTemplateStore.getState().byId, { x: 40, y: 40 }));
  return true;
}

export type ExportFormat = 'latentloom' | 'comfy-ui' | 'comfy-api';

/** The current canvas in one of the formats the export menu offers. */
export function exportCurrent(format: ExportFormat): unknown {
  const wf = currentWorkflow();
  const { byId } = useTemplateStore.getState();
  return format === 'comfy-ui' ? toComfyUi(wf, byId) : format === 'comfy-api' ? toComfyApi(wf, byId) : wf;
}

export function downloadCurrent(name: string, format: ExportFormat = 'latentloom') {
  const blob = new Blob([JSON.stringify(exportCurrent(format), null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  const base = name.replace(/\.json$/, '');
  a.download = format === 'latentloom' ? `${base}.json` : `${base}.${format === 'comfy-ui' ? 'comfyui' : 'comfyui-api'}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export async function saveCurrent(name: string): Promise<void> {
  const toast = useToastStore.getState().push;
  const clean = name.trim();
  if (!clean) {
    toast('Give the workflow a name first', 'error');
    return;
  }
  try {
    await saveToLibrary(clean, currentWorkflow());
    toast(`Saved "${clean}"`);
  } catch (err) {
    toast(`Save failed: ${errorMessage(err)}`, 'error');
  }
}
