import { useDocumentStore } from '@/app/stores/documentStore';
import { confirmDialog, promptDialog, useDialogStore } from '@/app/stores/dialogStore';
import { useGraphStore } from '@/app/stores/graphStore';
import { useJobsStore } from '@/app/stores/jobsStore';
import { useRunStore } from '@/app/stores/runStore';
import { useTemplateStore } from '@/app/stores/templateStore';
import { useToastStore } from '@/app/stores/toastStore';
import { lastPointer, useViewStore } from '@/app/stores/viewStore';
import { selectionToWorkflow, workflowForPaste } from './clipboard';
import { deleteFromLibrary, enqueueJob, errorMessage, listLibrary, saveToLibrary } from './engineApi';
import { PNG_WORKFLOW_KEYWORD, readPngTextChunks } from '@/nodes/workflow/png-text';
import { toComfyApi, toComfyUi } from '@/nodes/workflow/comfy/export';
import { type Graph, type Workflow, graphToWorkflow, parseWorkflow, withVersions, workflowToGraph } from './workflow';

/** Glue between stores and the engine for commands the toolbar, menus, shortcuts and drops share. */

/** The document as compared for unsaved changes (positions and values; not selection or measurements). */
export function documentKey(graph: Graph): string {
  return JSON.stringify(graphToWorkflow(graph));
}

export function currentWorkflow(): Workflow {
  const { nodes, edges, groups } = useGraphStore.getState();
  const title = useDocumentStore.getState().name.trim();
  return withVersions(graphToWorkflow({ nodes, edges, groups }, title ? { title } : undefined), useTemplateStore.getState().byId);
}

/** Asks before unsaved changes are thrown away; true when the caller may go on. */
export async function guardUnsaved(action: string): Promise<boolean> {
  const doc = useDocumentStore.getState();
  // computed now, not the marker's debounced flag: a change made a moment ago counts too
  if (documentKey(useGraphStore.getState()) === doc.baseline) return true;
  const a = await useDialogStore.getState().ask({
    title: 'Unsaved changes',
    message: `"${doc.name}" has changes that are not saved. ${action} anyway?`,
    testId: 'unsaved-dialog',
    defaultValue: 'save',
    choices: [
      { value: 'cancel', label: 'Cancel', tone: 'plain' },
      { value: 'discard', label: 'Discard changes', tone: 'danger' },
      { value: 'save', label: 'Save first', tone: 'primary' },
    ],
  });
  if (a.choice === 'discard') return true;
  if (a.choice === 'save') return saveCurrent();
  return false;
}

export interface OpenOptions {
  /** what toasts call it */
  label: string;
  /** the document name it gets */
  name: string;
  /** the library entry it is (null: not in the library) */
  libraryName?: string | null;
  /** adjusts the loaded workflow before it reaches the canvas (examples pick installed models) */
  adapt?: (wf: Workflow) => Workflow;
}

/** Replaces the canvas with a workflow file's graph (ours or ComfyUI's): asks first if changes would be lost; one undo step. */
export async function openDocument(value: unknown, o: OpenOptions): Promise<boolean> {
  const toast = useToastStore.getState().push;
  const { byId } = useTemplateStore.getState();
  const parsed = parseWorkflow(value, byId);
  if (!parsed.ok) {
    toast(`${o.label}: ${parsed.reason}`, 'error');
    return false;
  }
  if (!(await guardUnsaved(`Open "${o.label}"`))) return false;
  const workflow = o.adapt ? o.adapt(parsed.workflow) : parsed.workflow;
  const unknown = Object.entries(workflow.nodes).filter(([, n]) => !byId[n.type]);
  for (const w of parsed.warnings.filter((w) => !/is not a node type this build knows/.test(w))) toast(w);
  if (unknown.length > 0) toast(`Unknown node types kept as placeholders: ${[...new Set(unknown.map(([, n]) => n.type))].join(', ')}`, 'error');
  const graph = workflowToGraph(workflow, byId);
  useViewStore
    .getState()
    .prefit?.(graph.nodes.map((n) => ({ position: n.position, width: typeof n.data.extra?.width === 'number' ? n.data.extra.width : undefined })));
  useGraphStore.getState().replaceGraph(graph);
  useDocumentStore.getState().setDocument({ name: o.name, libraryName: o.libraryName ?? null, baseline: documentKey(graph) });
  useRunStore.getState().clearCanvas();
  useViewStore.getState().requestFit();
  toast(`Loaded ${o.label}`);
  return true;
}

export async function newDocument(): Promise<boolean> {
  if (!(await guardUnsaved('Start a new workflow'))) return false;
  const graph: Graph = { nodes: [], edges: [], groups: [] };
  useGraphStore.getState().replaceGraph(graph);
  useDocumentStore.getState().setDocument({ name: 'untitled', libraryName: null, baseline: documentKey(graph) });
  useRunStore.getState().clearCanvas();
  return true;
}

const baseName = (file: string) => file.replace(/\.(json|png)$/i, '');

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
      return openDocument(embedded, { label: file.name, name: baseName(file.name) });
    }
    return openDocument(JSON.parse(await file.text()), { label: file.name, name: baseName(file.name) });
  } catch (err) {
    toast(`Could not open ${file.name}: ${errorMessage(err)}`, 'error');
    return false;
  }
}

function nextSeed(value: string | number | boolean | undefined, control: string): string | number | undefined {
  if (control === 'fixed') return undefined;
  const current = BigInt(typeof value === 'number' || typeof value === 'string' ? String(value || 0) : 0);
  if (control === 'increment' || control === 'decrement') {
    const n = control === 'increment' ? current + 1n : current > 0n ? current - 1n : 0n;
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
  if (useJobsStore.getState().connection === 'offline') {
    toast('Not queued: the Latent Loom server is not reachable. The editor reconnects by itself; queue again once the header is green.', 'error');
    return;
  }
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
    // seeds that change by themselves after a run are not unsaved work: a clean document stays clean
    const doc = useDocumentStore.getState();
    const before = useGraphStore.getState();
    const wasClean = documentKey(before) === doc.baseline;
    applySeedControls();
    if (wasClean) useDocumentStore.setState({ baseline: documentKey(useGraphStore.getState()) });
    for (const w of result.warnings) toast(w);
    toast(`Queued job ${result.jobId.slice(0, 8)}`);
  } catch (err) {
    const offline = err instanceof TypeError || /fetch|network/i.test(errorMessage(err));
    toast(offline ? 'Not queued: the Latent Loom server is not reachable.' : `Queue failed: ${errorMessage(err)}`, 'error');
  }
}

export function copySelectionText(): string | null {
  const { nodes, edges } = useGraphStore.getState();
  const wf = selectionToWorkflow({ nodes, edges });
  return wf ? JSON.stringify(wf, null, 2) : null;
}

/** Pastes workflow JSON from the clipboard as new nodes, their top-left corner at the pointer (else beside the originals). */
export function pasteText(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  const { byId } = useTemplateStore.getState();
  const parsed = parseWorkflow(value, byId);
  if (!parsed.ok) return false;
  const graph = useGraphStore.getState();
  const at = lastPointer();
  let offset = { x: 40, y: 40 };
  if (at) {
    const positions = Object.values(parsed.workflow.nodes).map((n) => n.ui ?? { x: 0, y: 0 });
    const minX = Math.min(...positions.map((p) => p.x));
    const minY = Math.min(...positions.map((p) => p.y));
    if (Number.isFinite(minX) && Number.isFinite(minY)) offset = { x: at.x - minX, y: at.y - minY };
  }
  graph.insert(workflowForPaste(parsed.workflow, graph, byId, offset));
  return true;
}

/** A copy of the selected nodes (with the links among them) beside them. */
export function duplicateSelection(): boolean {
  const text = copySelectionText();
  if (!text) return false;
  const { byId } = useTemplateStore.getState();
  const parsed = parseWorkflow(JSON.parse(text), byId);
  if (!parsed.ok) return false;
  const graph = useGraphStore.getState();
  graph.insert(workflowForPaste(parsed.workflow, graph, byId, { x: 40, y: 40 }));
  return true;
}

export type ExportFormat = 'latentloom' | 'comfy-ui' | 'comfy-api';

/** The current canvas in one of the formats the export menu offers. */
export function exportCurrent(format: ExportFormat): unknown {
  const wf = currentWorkflow();
  const { byId } = useTemplateStore.getState();
  return format === 'comfy-ui' ? toComfyUi(wf, byId) : format === 'comfy-api' ? toComfyApi(wf, byId) : wf;
}

export function downloadBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadCurrent(name: string, format: ExportFormat = 'latentloom') {
  const blob = new Blob([JSON.stringify(exportCurrent(format), null, 2)], { type: 'application/json' });
  const base = name.replace(/\.json$/, '');
  downloadBlob(blob, format === 'latentloom' ? `${base}.json` : `${base}.${format === 'comfy-ui' ? 'comfyui' : 'comfyui-api'}.json`);
}

/** The library's names allow letters, digits, spaces and - _ . ( ). */
export function libraryNameProblem(name: string): string | null {
  const t = name.trim();
  if (t === '') return 'Give the workflow a name.';
  if (t.length > 120) return 'At most 120 characters.';
  if (!/^[\w\- .()]+$/.test(t)) return 'Use letters, digits, spaces and - _ . ( ) only.';
  if (t.startsWith('.')) return 'The name must not start with a dot.';
  return null;
}

/** Saves under `name`, asking first when that would replace another saved workflow. */
async function saveUnder(name: string): Promise<boolean> {
  const toast = useToastStore.getState().push;
  const clean = name.trim();
  const problem = libraryNameProblem(clean);
  if (problem) {
    toast(problem, 'error');
    return false;
  }
  try {
    const doc = useDocumentStore.getState();
    if (clean !== doc.libraryName && (await listLibrary()).includes(clean)) {
      const replace = await confirmDialog({
        title: 'Replace saved workflow?',
        message: `A workflow named "${clean}" is already in the library. Saving replaces it.`,
        confirm: 'Replace',
        danger: true,
        testId: 'overwrite-dialog',
      });
      if (!replace) return false;
    }
    const wf = currentWorkflow();
    await saveToLibrary(clean, wf);
    const { nodes, edges, groups } = useGraphStore.getState();
    useDocumentStore.getState().setDocument({ name: clean, libraryName: clean, baseline: documentKey({ nodes, edges, groups }) });
    toast(`Saved "${clean}"`);
    return true;
  } catch (err) {
    toast(`Save failed: ${errorMessage(err)}`, 'error');
    return false;
  }
}

/** Save: under the document's name; a workflow that never had one asks for it. */
export async function saveCurrent(): Promise<boolean> {
  const name = useDocumentStore.getState().name.trim();
  if (name === '' || name === 'untitled') return saveAs();
  return saveUnder(name);
}

export async function saveAs(): Promise<boolean> {
  const doc = useDocumentStore.getState();
  const name = await promptDialog({
    title: 'Save workflow as',
    label: 'Name in the library',
    initial: doc.name === 'untitled' ? '' : doc.name,
    confirm: 'Save',
    validate: libraryNameProblem,
    testId: 'save-as-dialog',
  });
  return name === null ? false : saveUnder(name);
}

export async function deleteLibraryEntry(name: string): Promise<boolean> {
  const ok = await confirmDialog({
    title: 'Delete saved workflow?',
    message: `"${name}" will be removed from the library (workflows/${name}.json). This cannot be undone.`,
    confirm: 'Delete',
    danger: true,
    testId: 'delete-dialog',
  });
  if (!ok) return false;
  try {
    await deleteFromLibrary(name);
    if (useDocumentStore.getState().libraryName === name) useDocumentStore.setState({ libraryName: null, dirty: true });
    useToastStore.getState().push(`Deleted "${name}"`);
    return true;
  } catch (err) {
    useToastStore.getState().push(`Delete failed: ${errorMessage(err)}`, 'error');
    return false;
  }
}
