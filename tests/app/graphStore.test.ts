import { beforeEach, describe, expect, it } from 'vitest';
import { REGISTRY } from '@/nodes/registry';

const SCHEMAS_BY_ID = REGISTRY.schemas;
import { DEFAULT_WORKFLOW } from '@/app/lib/defaultGraph';
import { graphToWorkflow, workflowToGraph } from '@/app/lib/workflow';
import { useGraphStore } from '@/app/stores/graphStore';

const store = () => useGraphStore.getState();

beforeEach(() => {
  useGraphStore.setState({ nodes: [], edges: [], groups: [], past: [], future: [], lastCommit: null });
  store().replaceGraph(workflowToGraph(DEFAULT_WORKFLOW, SCHEMAS_BY_ID), false);
});

describe('graph store history', () => {
  it('undo brings back a deleted node together with all its links in one step; redo removes them again', () => {
    const before = graphToWorkflow(store());
    useGraphStore.setState({ nodes: store().nodes.map((n) => ({ ...n, selected: n.id === 'sampler' })) });
    store().deleteSelected();
    expect(store().nodes.some((n) => n.id === 'sampler')).toBe(false);
    expect(store().edges.some((e) => e.source === 'sampler' || e.target === 'sampler')).toBe(false);

    store().undo();
    expect(graphToWorkflow(store())).toEqual(before);
    store().redo();
    expect(store().nodes.some((n) => n.id === 'sampler')).toBe(false);
  });

  it('coalesces rapid edits of one parameter into a single undo step', () => {
    store().setParam('pos', 'text', 'a');
    store().setParam('pos', 'text', 'ab');
    store().setParam('pos', 'text', 'abc');
    store().undo();
    expect(store().nodes.find((n) => n.id === 'pos')?.data.params.text).toBe(DEFAULT_WORKFLOW.nodes.pos?.params.text);
  });

  it('a new link into a linked input replaces the old one, and undo restores it', () => {
    store().connect({ source: 'neg', sourceHandle: 'conditioning', target: 'sampler', targetHandle: 'positive' });
    const positive = store().edges.filter((e) => e.target === 'sampler' && e.targetHandle === 'positive');
    expect(positive).toHaveLength(1);
    expect(positive[0]?.source).toBe('neg');
    store().undo();
    expect(store().edges.find((e) => e.id === 'sampler:positive')?.source).toBe('pos');
  });

  it('a new edit after undo drops the redo branch', () => {
    store().addNode('EmptyLatentImage', {}, { x: 0, y: 0 });
    store().undo();
    store().addNode('VAEDecode', {}, { x: 0, y: 0 });
    expect(store().future).toHaveLength(0);
    store().redo();
    expect(store().nodes.some((n) => n.data.type === 'EmptyLatentImage' && n.id !== 'latent')).toBe(false);
  });

  it('gives new nodes readable, unique ids', () => {
    const a = store().addNode('CLIPTextEncode', {}, { x: 0, y: 0 });
    const b = store().addNode('CLIPTextEncode', {}, { x: 0, y: 0 });
    expect([a, b]).toEqual(['cliptextencode', 'cliptextencode_2']);
  });
});
