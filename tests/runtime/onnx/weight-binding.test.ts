import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../../server/runtime/io/safetensors-write';
import { Graph } from '../../../server/runtime/onnx/builder';
import { Layers } from '../../../server/runtime/onnx/nn';
import { createSession, deviceFromEnv } from '../../../server/runtime/onnx/session';
import { WeightCache } from '../../../server/runtime/onnx/weights-cache';
import { fileComponent } from '../../helpers/model-weights';

const dir = mkdtempSync(path.join(tmpdir(), 'loom-bind-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = Float32Array.from({ length: 6 }, (_, i) => i + 1); // [3 out, 2 in]
const b = Float32Array.of(0.5, -1, 2);
const bytes = (a: Float32Array) => async () => new Uint8Array(a.buffer.slice(0));

async function linearModel() {
  const file = path.join(dir, 'user model.safetensors');
  await writeSafetensors(file, [
    { name: 'net.fc.weight', dtype: 'F32', shape: [3, 2], data: bytes(W) },
    { name: 'net.fc.bias', dtype: 'F32', shape: [3], data: bytes(b) },
  ]);
  const weights = await fileComponent(file, 'net.');
  const g = new Graph('linear');
  const L = new Layers(g, weights, 'linear');
  g.output(L.linear(g.input('x', 'float32', ['N', 2]), 'fc'), 'y', 'float32', ['N', 3]);
  return { g, weights };
}

describe('weights bound by reference', () => {
  it('points fp32 tensors into the user file, materialises transposes once, reuses them after a restart', async () => {
    const { g, weights } = await linearModel();
    const cacheDir = path.join(dir, 'cache');
    const bound = await new WeightCache({ dir: cacheDir }).bind(g.weights(), weights, 'linear');
    expect({ direct: bound.direct, materialised: bound.materialised }).toEqual({ direct: 1, materialised: 1 });
    const bias = bound.locations.get(g.weights().find((w) => w.key === 'fc.bias')!.onnxName)!;
    expect(bias.location).toMatch(/^src-[0-9a-f]+\.safetensors$/);
    expect(bias.offset).toBeGreaterThan(8);
    const session = await createSession(g.toModelProto(bound.locations), bound.folder, { label: 'linear', device: 'cpu', log: () => {} });
    const x = Float32Array.of(1, 2, -1, 0.5);
    const { y } = await session.run({ x: new ort.Tensor('float32', x, [2, 2]) });
    const want = [0, 1].flatMap((n) => [0, 1, 2].map((o) => x[n * 2] * W[o * 2] + x[n * 2 + 1] * W[o * 2 + 1] + b[o]));
    expect([...(y.data as Float32Array)]).toEqual(want);
    await session.release();

    const cached = readdirSync(cacheDir).filter((f) => f.endsWith('.f32'));
    expect(cached).toHaveLength(1);
    const old = new Date(Date.now() - 3600_000);
    utimesSync(path.join(cacheDir, cached[0]), old, old);
    const again = await new WeightCache({ dir: cacheDir }).bind(g.weights(), weights, 'linear');
    expect(again.identity).toBe(bound.identity);
    // reused, and touched so LRU eviction sees it as recent
    expect(statSync(path.join(cacheDir, cached[0])).mtimeMs).toBeGreaterThan(old.getTime() + 1000);
  });

  it('evicts least-recently-used materialised files past the size limit, never the ones in use', async () => {
    const { g, weights } = await linearModel();
    const cacheDir = path.join(dir, 'small-cache');
    mkdirSync(cacheDir, { recursive: true });
    const stale = path.join(cacheDir, `${'0'.repeat(64)}.f32`);
    writeFileSync(stale, new Uint8Array(100));
    const old = new Date(Date.now() - 3600_000);
    utimesSync(stale, old, old);
    await new WeightCache({ dir: cacheDir, maxBytes: 24 }).bind(g.weights(), weights, 'linear');
    const left = readdirSync(cacheDir).filter((f) => f.endsWith('.f32'));
    expect(left).toHaveLength(1);
    expect(left[0]).not.toBe(path.basename(stale));
    await new WeightCache({ dir: cacheDir, maxBytes: 0 }).bind(g.weights(), weights, 'linear');
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.f32'))).toEqual(left);
  });

  it('materialises several tensors at once, every one bound, and a failing read fails the bind', async () => {
    const { memoryProvider } = await import('../../helpers/model-weights');
    const tensors = new Map(
      Array.from({ length: 7 }, (_, i) => [`l${i}.weight`, { shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, j) => i * 100 + j) }]),
    );
    const provider = memoryProvider(tensors, 'many');
    const g = new Graph('many');
    const L = new Layers(g, provider, 'many');
    let x = g.input('x', 'float32', [1, 4]);
    for (let i = 0; i < 7; i++)
      x = g.op('Add', [x, g.op('ReduceSum', [L.linear(g.input(`i${i}`, 'float32', [1, 4]), `l${i}`, false)], { keepdims: 1 })]);
    g.output(x, 'y', 'float32', [1, 4]);
    const cacheDir = path.join(dir, 'many');
    const bound = await new WeightCache({ dir: cacheDir }).bind(g.weights(), provider, 'many');
    expect(bound.materialised).toBe(7);
    for (const use of g.weights()) {
      const loc = bound.locations.get(use.onnxName)!;
      const i = Number(use.key.slice(1, 2));
      // transposed [4, 3]: element (in c, out r) = W[r, c] = i*100 + r*4 + c
      const got = new Float32Array(new Uint8Array(readFileSync(path.join(cacheDir, loc.location))).buffer);
      expect(got[1 * 3 + 2]).toBe(i * 100 + 2 * 4 + 1);
    }
    const broken = {
      ...provider,
      identity: (k: string) => `broken|${k}`,
      float32: async (k: string) => (k === 'l3.weight' ? Promise.reject(new Error('disk read failed: l3')) : provider.float32(k)),
    };
    await expect(new WeightCache({ dir: path.join(dir, 'broken') }).bind(g.weights(), broken, 'many')).rejects.toThrow('disk read failed: l3');
  });

  it('names the model and the inputs when onnxruntime fails', async () => {
    const { g, weights } = await linearModel();
    const bound = await new WeightCache({ dir: path.join(dir, 'c3') }).bind(g.weights(), weights, 'linear');
    const session = await createSession(g.toModelProto(bound.locations), bound.folder, { label: 'linear', device: 'cpu', log: () => {} });
    await expect(session.run({ x: new ort.Tensor('float32', new Float32Array(3), [1, 3]) })).rejects.toThrow(
      /^linear: inference failed on cpu with inputs x\[1,3\]/,
    );
    await session.release();
  });

  it('refuses an unknown LOOM_DEVICE', () => {
    expect(() => deviceFromEnv('tpu')).toThrow(/LOOM_DEVICE=tpu/);
    expect(deviceFromEnv('CPU')).toBe('cpu');
  });
});
