import { describe, expect, it } from 'vitest';
import { Graph } from '../../../server/runtime/onnx/builder';
import { SessionCache, createSession, resolveDevice, type LoomSession } from '../../../server/runtime/onnx/session';

function reluModel(): Uint8Array {
  const g = new Graph('relu');
  g.output(g.op('Relu', [g.input('x', 'float32', [2])]), 'y', 'float32', [2]);
  return g.toModelProto(new Map());
}

describe('session creation', () => {
  it('auto picks a provider, falls back to CPU with the reasons, and logs one line', async () => {
    const lines: string[] = [];
    const s = await createSession(reluModel(), '.', { label: 'relu-auto', device: 'auto', log: (l) => lines.push(l) });
    expect(['cuda', 'webgpu', 'cpu']).toContain(s.provider);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^\\[loom\\] relu-auto: execution provider ${s.provider}`));
    if (s.provider === 'cpu') expect(lines[0]).toMatch(/fallback: cuda unavailable/);
    await s.release();
  });

  it('resolves auto to one concrete provider once per process', async () => {
    const lines: string[] = [];
    const first = await resolveDevice('auto', (l) => lines.push(l));
    expect(await resolveDevice('auto', (l) => lines.push(l))).toBe(first);
    expect(lines.length).toBeLessThanOrEqual(1);
    expect(await resolveDevice('cpu')).toBe('cpu');
  });

  it('names the model when the graph is invalid', async () => {
    const g = new Graph('broken');
    g.output(g.op('NoSuchOp', [g.input('x', 'float32', [2])]), 'y');
    await expect(createSession(g.toModelProto(new Map()), '.', { label: 'broken', device: 'cpu', log: () => {} }))
      .rejects.toThrow(/^broken: onnxruntime could not create a session on cpu: .*NoSuchOp/);
  });

  it('keeps the most recently used sessions and releases the evicted ones', async () => {
    const released: string[] = [];
    const fake = (label: string): LoomSession => ({ label, provider: 'cpu', run: async () => ({}), release: async () => { released.push(label); } });
    const cache = new SessionCache(2);
    await cache.get('a', async () => fake('a'));
    await cache.get('b', async () => fake('b'));
    await cache.get('a', async () => fake('a2'));
    await cache.get('c', async () => fake('c'));
    await new Promise((r) => setTimeout(r, 0));
    expect(released).toEqual(['b']);
    expect((await cache.get('a', async () => fake('a3'))).label).toBe('a');
    await cache.clear();
  });
});
