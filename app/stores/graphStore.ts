import { create } from 'zustand';
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange, type XYPosition } from '@xyflow/react';
import type { ParamValue, SeedControl } from '@/nodes/schemas';
import type { NodeMode, WorkflowGroup } from '@/nodes/workflow/schema';
import { type Graph, type LoomEdge, type LoomNode, type LoomNodeData, type NodeLook, type XY, freshNodeId, makeEdge } from '@/app/lib/workflow';
import { type DocumentInfo, documentInfo, useDocumentStore } from './documentStore';

const HISTORY_LIMIT = 200;
/** Edits to the same parameter within this window undo as one step (typing a prompt). */
const COALESCE_MS = 1000;

/** An undo step: the graph and the document it belonged to (undoing a load brings the old name back too). */
export type HistoryEntry = Graph & { doc: DocumentInfo };

export interface GraphState extends Graph {
  past: HistoryEntry[];
  future: HistoryEntry[];
  lastCommit: { key: string; at: number } | null;
  /** Records the current graph as an undo step; call before mutating. */
  commit: (key?: string) => void;
  undo: () => void;
  redo: () => void;
  onNodesChange: (changes: NodeChange<LoomNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<LoomEdge>[]) => void;
  connect: (c: Connection) => void;
  addNode: (type: string, params: Record<string, ParamValue>, position: XYPosition) => string;
  setParam: (nodeId: string, name: string, value: ParamValue, record?: boolean) => void;
  setSeedControl: (nodeId: string, name: string, control: SeedControl) => void;
  deleteSelected: () => void;
  deleteNodes: (ids: readonly string[]) => void;
  deleteEdge: (id: string) => void;
  /** Inserts nodes/edges (already given fresh ids) and selects only them. */
  insert: (g: Graph) => void;
  replaceGraph: (g: Graph, record?: boolean) => void;
  /** ComfyUI's Ctrl+B / Ctrl+M: each node toggles between `mode` and always. */
  toggleMode: (ids: readonly string[], mode: Exclude<NodeMode, 'always'>) => void;
  setTitle: (id: string, title: string) => void;
  /** Merges editor extras (size, colour, collapsed, pinned, widget inputs) into nodes; undefined removes a key. */
  setLook: (ids: readonly string[], look: Partial<Record<keyof NodeLook, NodeLook[keyof NodeLook] | undefined>>, record?: boolean) => void;
  setEdgePoints: (edgeId: string, points: XY[], record?: boolean) => void;
  addGroup: (group: WorkflowGroup) => void;
  updateGroup: (index: number, patch: Partial<WorkflowGroup>, record?: boolean) => void;
  removeGroup: (index: number) => void;
  /** Moves a group and the nodes given (those inside it when the drag began) by a canvas offset. */
  moveGroup: (
    index: number,
    members: readonly string[],
    from: { bounding: WorkflowGroup['bounding']; positions: Record<string, XY> },
    dx: number,
    dy: number,
  ) => void;
  select: (ids: readonly string[]) => void;
}

/** Selection and measurement are view state, not edits: history keeps only what undo should restore. */
function snapshot(g: Graph): HistoryEntry {
  return {
    nodes: g.nodes.map((n) => ({ ...n, selected: false, data: { ...n.data, params: { ...n.data.params } } })),
    edges: g.edges.map((e) => ({ ...e, selected: false })),
    groups: (g.groups ?? []).map((x) => ({ ...x })),
    doc: documentInfo(),
  };
}

function restore(entry: HistoryEntry): Graph {
  const { doc, ...graph } = entry;
  useDocumentStore.setState({ name: doc.name, libraryName: doc.libraryName, baseline: doc.baseline });
  return graph;
}

function patchData(nodes: LoomNode[], ids: ReadonlySet<string>, patch: (d: LoomNodeData, n: LoomNode) => Partial<LoomNode>): LoomNode[] {
  return nodes.map((n) => (ids.has(n.id) ? { ...n, ...patch(n.data, n) } : n));
}

export const useGraphStore = create<GraphState>()((set, get) => ({
  nodes: [],
  edges: [],
  groups: [],
  past: [],
  future: [],
  lastCommit: null,

  commit: (key) => {
    const { lastCommit, nodes, edges, groups, past } = get();
    const now = Date.now();
    if (key && lastCommit && lastCommit.key === key && now - lastCommit.at < COALESCE_MS) {
      set({ lastCommit: { key, at: now } });
      return;
    }
    set({ past: [...past, snapshot({ nodes, edges, groups })].slice(-HISTORY_LIMIT), future: [], lastCommit: key ? { key, at: now } : null });
  },

  undo: () => {
    const { past, future, nodes, edges, groups } = get();
    const prev = past[past.length - 1];
    if (!prev) return;
    const current = snapshot({ nodes, edges, groups });
    set({ ...restore(prev), past: past.slice(0, -1), future: [current, ...future], lastCommit: null });
  },

  redo: () => {
    const { past, future, nodes, edges, groups } = get();
    const next = future[0];
    if (!next) return;
    const current = snapshot({ nodes, edges, groups });
    set({ ...restore(next), past: [...past, current], future: future.slice(1), lastCommit: null });
  },

  onNodesChange: (changes) => {
    if (changes.some((c) => c.type === 'remove')) get().commit();
    set({ nodes: applyNodeChanges(changes, get().nodes) });
  },

  onEdgesChange: (changes) => {
    if (changes.some((c) => c.type === 'remove')) get().commit();
    set({ edges: applyEdgeChanges(changes, get().edges) });
  },

  connect: (c) => {
    if (!c.sourceHandle || !c.targetHandle) return;
    get().commit();
    const edge = makeEdge(c.source, c.sourceHandle, c.target, c.targetHandle);
    set({ edges: [...get().edges.filter((e) => e.id !== edge.id), edge] });
  },

  addNode: (type, params, position) => {
    get().commit();
    const id = freshNodeId(type, new Set(get().nodes.map((n) => n.id)));
    const node: LoomNode = { id, type: 'loom', position, data: { type, params }, selected: true };
    set({ nodes: [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] });
    return id;
  },

  setParam: (nodeId, name, value, record = true) => {
    if (record) get().commit(`param:${nodeId}:${name}`);
    set({
      nodes: get().nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, params: { ...n.data.params, [name]: value } } } : n)),
    });
  },

  setSeedControl: (nodeId, name, control) => {
    get().commit();
    set({
      nodes: get().nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, seedControl: { ...n.data.seedControl, [name]: control } } } : n)),
    });
  },

  deleteSelected: () => {
    const { nodes, edges } = get();
    const gone = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
    const edgesLeft = edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
    if (gone.size === 0 && edgesLeft.length === edges.length) return;
    get().commit();
    set({ nodes: nodes.filter((n) => !gone.has(n.id)), edges: edgesLeft });
  },

  deleteNodes: (ids) => {
    const gone = new Set(ids);
    if (gone.size === 0) return;
    get().commit();
    set({ nodes: get().nodes.filter((n) => !gone.has(n.id)), edges: get().edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)) });
  },

  deleteEdge: (id) => {
    get().commit();
    set({ edges: get().edges.filter((e) => e.id !== id) });
  },

  insert: (g) => {
    get().commit();
    set({
      nodes: [...get().nodes.map((n) => ({ ...n, selected: false })), ...g.nodes.map((n) => ({ ...n, selected: true }))],
      edges: [...get().edges.map((e) => ({ ...e, selected: false })), ...g.edges],
    });
  },

  replaceGraph: (g, record = true) => {
    if (record) get().commit();
    set({ nodes: g.nodes, edges: g.edges, groups: g.groups ?? [], ...(record ? {} : { past: [], future: [], lastCommit: null }) });
  },

  toggleMode: (ids, mode) => {
    if (ids.length === 0) return;
    get().commit();
    set({ nodes: patchData(get().nodes, new Set(ids), (d) => ({ data: { ...d, mode: d.mode === mode ? undefined : mode } })) });
  },

  setTitle: (id, title) => {
    get().commit();
    const clean = title.trim().slice(0, 500);
    set({ nodes: patchData(get().nodes, new Set([id]), (d) => ({ data: { ...d, title: clean === '' ? undefined : clean } })) });
  },

  setLook: (ids, look, record = true) => {
    if (ids.length === 0) return;
    if (record) get().commit();
    set({
      nodes: patchData(get().nodes, new Set(ids), (d) => {
        const extra: Record<string, unknown> = { ...d.extra };
        for (const [k, v] of Object.entries(look)) {
          if (v === undefined) delete extra[k];
          else extra[k] = v;
        }
        return { data: { ...d, extra }, ...('pinned' in look ? { draggable: look.pinned ? false : undefined } : {}) };
      }),
    });
  },

  setEdgePoints: (edgeId, points, record = true) => {
    if (record) get().commit();
    set({ edges: get().edges.map((e) => (e.id === edgeId ? { ...e, data: { ...e.data, points } } : e)) });
  },

  addGroup: (group) => {
    get().commit();
    set({ groups: [...(get().groups ?? []), group] });
  },

  updateGroup: (index, patch, record = true) => {
    if (record) get().commit();
    set({ groups: (get().groups ?? []).map((g, i) => (i === index ? { ...g, ...patch } : g)) });
  },

  removeGroup: (index) => {
    get().commit();
    set({ groups: (get().groups ?? []).filter((_, i) => i !== index) });
  },

  moveGroup: (index, members, from, dx, dy) => {
    const [x, y, w, h] = from.bounding;
    const inside = new Set(members);
    set({
      groups: (get().groups ?? []).map((g, i) => (i === index ? { ...g, bounding: [x + dx, y + dy, w, h] } : g)),
      nodes: get().nodes.map((n) => {
        const p = inside.has(n.id) ? from.positions[n.id] : undefined;
        return p ? { ...n, position: { x: p.x + dx, y: p.y + dy } } : n;
      }),
    });
  },

  select: (ids) => {
    const chosen = new Set(ids);
    set({
      nodes: get().nodes.map((n) => (chosen.has(n.id) === (n.selected === true) ? n : { ...n, selected: chosen.has(n.id) })),
      edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
    });
  },
}));
