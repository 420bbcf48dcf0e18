import { describe, expect, it } from 'vitest';
import { countWorkflowNodes, readLimits, workflowTooLarge } from '@/server/api/limits';

describe('readLimits', () => {
  it('has documented defaults and takes env overrides', () => {
    expect(readLimits({})).toEqual({
      body: { env: 'LOOM_MAX_BODY_BYTES', value: 8 * 1024 * 1024 },
      upload: { env: 'LOOM_MAX_UPLOAD_BYTES', value: 64 * 1024 * 1024 },
      workflowNodes: { env: 'LOOM_MAX_WORKFLOW_NODES', value: 5000 },
      jsonDepth: { env: 'LOOM_MAX_JSON_DEPTH', value: 64 },
    });
    expect(readLimits({ LOOM_MAX_WORKFLOW_NODES: '20000' }).workflowNodes.value).toBe(20000);
  });
  it('names the variable when a value is not a positive integer', () => {
    for (const bad of ['0', '-1', '1.5', 'lots'])
      expect(() => readLimits({ LOOM_MAX_BODY_BYTES: bad })).toThrow(`LOOM_MAX_BODY_BYTES="${bad}": expected a positive integer`);
  });
});

describe('countWorkflowNodes', () => {
  it('counts ours, ComfyUI UI (with subgraphs) and ComfyUI API workflows', () => {
    expect(countWorkflowNodes({ format: 'latentloom.workflow', nodes: { a: {}, b: {} } })).toBe(2);
    expect(countWorkflowNodes({ nodes: [{}, {}, {}], links: [], definitions: { subgraphs: [{ nodes: [{}, {}] }, { nodes: 'x' }] } })).toBe(5);
    expect(countWorkflowNodes({ 1: { class_type: 'A' }, 2: { class_type: 'B' }, 3: { class_type: 'C' } })).toBe(3);
    expect(countWorkflowNodes(null)).toBe(0);
    expect(countWorkflowNodes([1, 2, 3])).toBe(0);
  });
  it('refuses over the limit with a message naming it', () => {
    const limits = readLimits({ LOOM_MAX_WORKFLOW_NODES: '2' });
    expect(workflowTooLarge({ nodes: { a: {}, b: {} } }, limits)).toBeNull();
    expect(workflowTooLarge({ nodes: { a: {}, b: {}, c: {} } }, limits)).toBe(
      'The workflow has 3 nodes; a workflow is limited to 2 nodes (set LOOM_MAX_WORKFLOW_NODES to raise it).',
    );
  });
});
