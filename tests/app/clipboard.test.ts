import { describe, expect, it } from 'vitest';
import { REGISTRY } from '@/nodes/registry';

const SCHEMAS_BY_ID = REGISTRY.schemas;
import { DEFAULT_WORKFLOW } from '@/app/lib/defaultGraph';
import { selectionToWorkflow, workflowForPaste } from '@/app/lib/clipboard';
import { graphToWorkflow, parseWorkflow, workflowToGraph } from '@/app/lib/workflow';

const graph = workflowToGraph(DEFAULT_WORKFLOW, SCHEMAS_BY_ID);

describe('clipboard serialisation', () => {
  it('copies only the selected nodes and the links among them, as a valid workflow file', () => {
    const selected = { ...graph, nodes: graph.nodes.map((n) => ({ ...n, selected: n.id === 'ckpt' || n.id === 'pos' })) };
    const wf = selectionToWorkflow(selected);
    expect(wf && Object.keys(wf.nodes).sort()).toEqual(['ckpt', 'pos']);
    expect(wf?.nodes.pos?.inputs).toEqual({ clip: { node: 'ckpt', output: 'CLIP' } });
    const reparsed = parseWorkflow(JSON.parse(JSON.stringify(wf)), SCHEMAS_BY_ID);
    expect(reparsed.ok).toBe(true);
  });

  it('pastes with fresh ids, links rewired to the copies, offset positions', () => {
    const wf = selectionToWorkflow({ ...graph, nodes: graph.nodes.map((n) => ({ ...n, selected: n.id === 'ckpt' || n.id === 'pos' })) });
    if (!wf) throw new Error('nothing selected');
    const pasted = workflowForPaste(wf, graph, SCHEMAS_BY_ID, { x: 40, y: 40 });
    expect(pasted.nodes.map((n) => n.id).sort()).toEqual(['ckpt_2', 'pos_2']);
    expect(pasted.edges).toEqual([expect.objectContaining({ source: 'ckpt_2', target: 'pos_2', sourceHandle: 'CLIP', targetHandle: 'clip' })]);
    expect(pasted.nodes.find((n) => n.id === 'ckpt_2')?.position).toEqual({ x: 40, y: 200 });
  });

  it('round-trips the whole graph through the workflow file', () => {
    expect(graphToWorkflow(workflowToGraph(graphToWorkflow(graph), SCHEMAS_BY_ID))).toEqual(graphToWorkflow(graph));
  });

  it('keeps the seed control of a node in ui', () => {
    const g = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.id === 'sampler' ? { ...n, data: { ...n.data, seedControl: { seed: 'fixed' as const } } } : n)),
    };
    const back = workflowToGraph(graphToWorkflow(g), SCHEMAS_BY_ID);
    expect(back.nodes.find((n) => n.id === 'sampler')?.data.seedControl).toEqual({ seed: 'fixed' });
  });
});
