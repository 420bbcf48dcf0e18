import { create } from 'zustand';
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange, type XYPosition } from '@xyflow/react';
import type { ParamValue, SeedControl } from '@/nodes/schemas';
import { type Graph, type LoomEdge, type LoomNode, freshNodeId, makeEdge } from '@/app/lib/workflow';

const HISTORY_LIMIT = 200;
/** Edits to the same parameter within this window undo as one step (typing a prompt). */
const COALESCE_MS = 1000;

export interface GraphState extends Graph {
  past: Graph[];
  future: Graph[];
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
  /** Inserts nodes/edges (already given fresh ids) and selects only them. */
  insert: (g: Graph) => void;
  replaceGraph: (g: Graph, record?: boolean) => void;
}

/** Selection and measurement are view state, not edits: history keeps only what undo should restore. */
function snapshot(g: Graph): Graph {
  return {
    nodes: g.nodes.map((n) => ({ ...n, data: { ...n.data, params: { ...n.data.params } } })),
    edges: g.edges.map((e) => ({ ...e })),
    groups: (g.groups ?? []).map((x) => ({ ...x })),
  };
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
    set({ ...prev, past: past.slice(0, -1), future: [snapshot({ nodes, edges, groups }), ...future], lastCommit: null });
  },

  redo: () => {
    const { past, future, nodes, edges, groups } = get();
    const next = future[0];
    if (!next) return;
    set({ ...next, past: [...past, snapshot({ nodes, edges, groups })], future: future.slice(1), lastCommit: null });
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
      nodes: get().nodes.map((n) =>
        n.id === nodeId ? { ...n, data: { ...n.data, seedControl: { ...n.data.seedControl, [name]: control } } } : n,
      ),
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
}));
