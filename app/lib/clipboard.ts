import type { SchemaMap } from '@/nodes/schemas';
import { type Graph, type Workflow, freshNodeId, graphToWorkflow, makeEdge, workflowToGraph } from './workflow';

/** The selected nodes and the links among them, as a workflow file (what goes on the clipboard). */
export function selectionToWorkflow(graph: Graph): Workflow | null {
  const nodes = graph.nodes.filter((n) => n.selected);
  if (nodes.length === 0) return null;
  const ids = new Set(nodes.map((n) => n.id));
  const edges = graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  return graphToWorkflow({ nodes, edges });
}

/** A pasted workflow with ids that do not clash with the current graph, shifted by `offset`. */
export function workflowForPaste(wf: Workflow, current: Graph, schemas: SchemaMap, offset: { x: number; y: number }): Graph {
  const pasted = workflowToGraph(wf, schemas);
  const taken = new Set(current.nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  for (const n of pasted.nodes) {
    const id = freshNodeId(n.id, taken);
    taken.add(id);
    rename.set(n.id, id);
  }
  return {
    nodes: pasted.nodes.map((n) => ({ ...n, id: rename.get(n.id) ?? n.id, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } })),
    edges: pasted.edges.map((e) =>
      makeEdge(
        rename.get(e.source) ?? e.source,
        e.sourceHandle ?? '',
        rename.get(e.target) ?? e.target,
        e.targetHandle ?? '',
        e.data?.points?.map((p) => ({ x: p.x + offset.x, y: p.y + offset.y })),
      ),
    ),
  };
}
