import { describe, expect, it } from 'vitest';
import ort from 'onnxruntime-node';
import { Graph } from '../../../server/runtime/onnx/builder';
import { SessionClosedError, createSession, resolveDevice, type LoomSession } from '../../../server/runtime/onnx/session';
import { SessionCache } from '../../../server/runtime/onnx/session-cache';

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
    await expect(createSession(g.toModelProto(new Map()), '.', { label: 'broken', device: 'cpu', log: () => {} })).rejects.toThrow(
      /^broken: onnxruntime could not create a session on cpu: .*NoSuchOp/,
    );
  });

  it('keeps the most recently used sessions and releases the evicted ones', async () => {
    const released: string[] = [];
    const fake = (label: string): LoomSession => ({
      label,
      provider: 'cpu',
      run: async () => ({}),
      runOnDevice: async () => ({}),
      release: async () => {
        released.push(label);
      },
    });
    const cache = new SessionCache(Infinity, 2);
    await cache.get('a', async () => fake('a'));
    await cache.get('b', async () => fake('b'));
    await cache.get('a', async () => fake('a2'));
    await cache.get('c', async () => fake('c'));
    await new Promise((r) => setTimeout(r, 0));
    expect(released).toEqual(['b']);
    expect((await cache.get('a', async () => fake('a3'))).label).toBe('a');
    await cache.clear();
  });

  it('limits the weight bytes of live sessions, always keeping the newest', async () => {
    const released: string[] = [];
    const fake = (label: string): LoomSession => ({
      label,
      provider: 'cpu',
      run: async () => ({}),
      runOnDevice: async () => ({}),
      release: async () => {
        released.push(label);
      },
    });
    const cache = new SessionCache(100, 8);
    await cache.get('a', async () => fake('a'), 40);
    await cache.get('b', async () => fake('b'), 40);
    expect(cache.usedBytes).toBe(80);
    await cache.get('c', async () => fake('c'), 40); // 120 > 100: the least recently used (a) goes
    await cache.get('huge', async () => fake('huge'), 500); // alone over budget: everything else goes, it stays
    await new Promise((r) => setTimeout(r, 0));
    expect(released).toEqual(['a', 'b', 'c']);
    expect(cache.usedBytes).toBe(500);
    expect(cache.has('huge')).toBe(true);
    await cache.clear();
  });

  it('an evicted session finishes the runs already on it, then refuses new ones', async () => {
    const g = new Graph('mm');
    const x = g.input('x', 'float32', [256, 256]);
    g.output(g.op('MatMul', [g.op('MatMul', [x, x]), x]), 'y', 'float32', [256, 256]);
    const s = await createSession(g.toModelProto(new Map()), '.', { label: 'mm', device: 'cpu', log: () => {} });
    const feeds = { x: new ort.Tensor('float32', new Float32Array(256 * 256).fill(0.01), [256, 256]) };
    const running = s.run(feeds, ['y']);
    const released = s.release();
    const out = await running;
    expect((out.y.data as Float32Array)[0]).toBeCloseTo(256 * 256 * 1e-6, 6);
    await released;
    await expect(s.run(feeds, ['y'])).rejects.toBeInstanceOf(SessionClosedError);
  });
});
