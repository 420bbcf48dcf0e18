import { describe, expect, it } from 'vitest';
import { parseWorkflow, WorkflowFormatError } from '../../nodes/workflow/migrate';

/** A workflow as the v0 prototype wrote it: node array, links as bare [node, output] pairs. */
const V0 = {
  format: 'latentloom.workflow',
  version: 0,
  nodes: [
    { id: 'l', type: 'EmptyLatent', params: { width: 64, height: 64 }, x: 10, y: 20 },
    { id: 's', type: 'SaveLatent', params: {}, links: { samples: ['l', 'latent'] } },
  ],
  meta: { title: 'old' },
};

describe('workflow migrations', () => {
  it('migrates v0 to v1', () => {
    const wf = parseWorkflow(V0);
    expect(wf.version).toBe(1);
    expect(wf.nodes.s.inputs.samples).toEqual({ node: 'l', output: 'latent' });
    expect(wf.nodes.l.ui).toEqual({ x: 10, y: 20 });
    expect(wf.meta?.title).toBe('old');
  });
  it('refuses versions from the future and other formats', () => {
    expect(() => parseWorkflow({ ...V0, version: 99 })).toThrow(WorkflowFormatError);
    expect(() => parseWorkflow({ format: 'comfy' })).toThrow(/Not a Latent Loom workflow/);
  });
  it('names the bad field', () => {
    expect(() => parseWorkflow({ format: 'latentloom.workflow', version: 1, nodes: { a: { type: 3 } } })).toThrow(/nodes\.a\.type/);
  });
});
