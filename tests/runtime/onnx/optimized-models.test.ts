import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryProvider } from '../../helpers/model-weights';
import { randomUNet, rng } from '../../helpers/random-models';
import { maxAbsDiff } from '../../helpers/compare';
import { deriveUNetConfig } from '../../../server/runtime/checkpoint/arch/unet';
import { buildUNet } from '../../../server/runtime/models/unet';
import { createSession } from '../../../server/runtime/onnx/session';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';
import { createUNet } from '../../../server/runtime/models';
import { backgroundSaves, OptimizedModelStore, OPTIMIZED_PREFIX, optimizedModelKey } from '../../../server/runtime/onnx/optimized-models';
import { WeightCache } from '../../../server/runtime/onnx/weights-cache';

const root = mkdtempSync(path.join(tmpdir(), 'loom-opt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// conv channels >= 16 so onnxruntime's NCHWc layout pass (the part worth saving) rewrites the convs
const spec = {
  inChannels: 4,
  modelChannels: 32,
  channelMult: [1, 2],
  numResBlocks: 1,
  attentionLevels: [1],
  depth: 1,
  contextDim: 16,
  linearProjection: false,
};
const weights = memoryProvider(randomUNet(spec, 5), 'opt-unet');
const graph = buildUNet(weights, deriveUNetConfig(weights), { attention: 'fused', float: 'float32' });

function feeds(): Record<string, ort.Tensor> {
  const r = rng(9);
  const x = Float32Array.from({ length: 2 * 4 * 8 * 8 }, () => r() * 2 - 1);
  const ctx = Float32Array.from({ length: 2 * 3 * 16 }, () => r() * 2 - 1);
  return {
    x: new ort.Tensor('float32', x, [2, 4, 8, 8]),
    timesteps: new ort.Tensor('float32', Float32Array.of(10, 900), [2]),
    context: new ort.Tensor('float32', ctx, [2, 3, 16]),
  };
}

async function start(dir: string, logs: string[] = []) {
  const bound = await new WeightCache({ dir }).bind(graph.weights(), weights, 'unet');
  const model = graph.toModelProto(bound.locations);
  const store = new OptimizedModelStore(bound.folder, (l) => logs.push(l));
  const s = await createSession(model, bound.folder, { label: 'unet', device: 'cpu', log: (l) => logs.push(l), optimizedStore: store });
  const out = (await s.run(feeds(), ['out'])).out.data as Float32Array;
  await s.release();
  await Promise.all(store.saving);
  return { origin: s.origin, out, saved: path.join(dir, OPTIMIZED_PREFIX + optimizedModelKey(model)) };
}

describe('saved optimised CPU models', () => {
  it('builds, then saves in the background after the second build, then reloads; outputs agree', async () => {
    const dir = path.join(root, 'a');
    const first = await start(dir);
    expect(first.origin).toBe('built');
    expect(existsSync(first.saved)).toBe(false);
    expect(existsSync(`${first.saved}.seen`)).toBe(true);

    const second = await start(dir);
    expect(second.origin).toBe('built');
    expect(readdirSync(second.saved).sort()).toEqual(['model.onnx', 'weights.bin']);
    // what was saved is the layout-optimised graph, weights outside the proto
    const saved = readFileSync(path.join(second.saved, 'model.onnx'));
    expect(saved.includes('com.microsoft.nchwc')).toBe(true);
    expect(saved.length).toBeLessThan(statSync(path.join(second.saved, 'weights.bin')).size);
    expect(existsSync(`${second.saved}.seen`)).toBe(false);

    const third = await start(dir);
    expect(third.origin).toBe('reloaded');
    // the same optimised graph and kernels: identical numbers
    expect(maxAbsDiff(second.out, first.out)).toBe(0);
    expect(maxAbsDiff(third.out, first.out)).toBe(0);
    expect(first.out.some((v) => v !== 0)).toBe(true);
  });

  it('a damaged saved model is discarded with a log line and the session is built again', async () => {
    const dir = path.join(root, 'b');
    const good = (await start(dir)).out;
    const { saved } = await start(dir);
    truncateSync(path.join(saved, 'model.onnx'), 100);
    const logs: string[] = [];
    const again = await start(dir, logs);
    expect(again.origin).toBe('built');
    expect(logs.join('\n')).toMatch(/saved optimised model .* unusable/);
    expect(existsSync(saved)).toBe(false);
    expect(maxAbsDiff(again.out, good)).toBe(0);
  });

  it('the background save does not delay the session: a slow save finishes after create() returned', async () => {
    const dir = path.join(root, 'slow');
    mkdirSync(dir, { recursive: true });
    const events: string[] = [];
    const slow = async (_m: Uint8Array | string, o: ort.InferenceSession.SessionOptions) => {
      const saving = o.optimizedModelFilePath !== undefined;
      if (saving) {
        await new Promise((r) => setTimeout(r, 300));
        mkdirSync(path.dirname(o.optimizedModelFilePath!), { recursive: true });
        writeFileSync(o.optimizedModelFilePath!, 'x');
      }
      events.push(saving ? 'saved' : 'built');
      return { release: async () => {} } as unknown as ort.InferenceSession;
    };
    const model = new Uint8Array([7, 7, 7]);
    writeFileSync(path.join(dir, `${OPTIMIZED_PREFIX}${optimizedModelKey(model)}.seen`), '');
    const store = new OptimizedModelStore(dir, () => {}, slow);
    const t0 = performance.now();
    const made = await store.create(model, {}, 'unet');
    const took = performance.now() - t0;
    events.push('returned');
    expect(made.origin).toBe('built');
    expect(took).toBeLessThan(250);
    expect(store.saving.size).toBe(1);
    await Promise.all(store.saving);
    expect(events).toEqual(['built', 'returned', 'saved']);
    expect(existsSync(path.join(dir, `${OPTIMIZED_PREFIX}${optimizedModelKey(model)}`, 'model.onnx'))).toBe(true);
  });

  it('the key covers the model bytes and the CPU signature', () => {
    const m = new Uint8Array([1, 2, 3]);
    expect(optimizedModelKey(m, 'x86_64|avx2')).not.toBe(optimizedModelKey(m, 'x86_64|avx512f'));
    expect(optimizedModelKey(m, 'sig')).not.toBe(optimizedModelKey(new Uint8Array([1, 2, 4]), 'sig'));
    expect(optimizedModelKey(m, 'sig')).toBe(optimizedModelKey(Uint8Array.from(m), 'sig'));
  });

  it('the weight cache evicts saved models least-recently-used, with the weight files', async () => {
    const dir = path.join(root, 'c');
    await new WeightCache({ dir }).bind(graph.weights(), weights, 'unet');
    const weightBytes = readdirSync(dir)
      .filter((f) => f.endsWith('.f32'))
      .reduce((a, f) => a + statSync(path.join(dir, f)).size, 0);
    expect(weightBytes).toBeGreaterThan(0);
    const old = path.join(dir, `${OPTIMIZED_PREFIX}0123`);
    mkdirSync(old, { recursive: true });
    writeFileSync(path.join(old, 'weights.bin'), Buffer.alloc(1 << 20));
    utimesSync(old, new Date(1e12), new Date(1e12));
    const fresh = path.join(dir, `${OPTIMIZED_PREFIX}4567`);
    mkdirSync(fresh);
    writeFileSync(path.join(fresh, 'weights.bin'), Buffer.alloc(1 << 10));
    // the bound weights (memory provider: all materialised) and the fresh saved model fit; the old one does not
    await new WeightCache({ dir, maxBytes: weightBytes + 4096 }).bind(graph.weights(), weights, 'unet');
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });

  it('createUNet saves on the second build by default; LOOM_SAVE_OPTIMIZED=0 turns it off', async () => {
    const saved = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(OPTIMIZED_PREFIX)) : []);
    const twice = async (dir: string) => {
      for (let i = 0; i < 2; i++) {
        await sessionCache.clear();
        await createUNet(weights, { device: 'cpu', cache: new WeightCache({ dir }), log: () => {} });
        await backgroundSaves();
      }
      await sessionCache.clear();
    };
    const on = path.join(root, 'd-on');
    await twice(on);
    expect(saved(on).some((f) => !f.includes('.'))).toBe(true);
    const off = path.join(root, 'd-off');
    process.env.LOOM_SAVE_OPTIMIZED = '0';
    try {
      await twice(off);
    } finally {
      delete process.env.LOOM_SAVE_OPTIMIZED;
    }
    expect(saved(off)).toEqual([]);
  });

  it('binding sweeps leftovers of crashed saves and old markers, and keeps fresh ones', async () => {
    const dir = path.join(root, 'e');
    mkdirSync(dir, { recursive: true });
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const ancient = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    const crashedSave = path.join(dir, `${OPTIMIZED_PREFIX}aa.123.beef.tmp`);
    mkdirSync(crashedSave);
    writeFileSync(path.join(crashedSave, 'weights.bin'), 'x');
    utimesSync(crashedSave, old, old);
    const crashedWeight = path.join(dir, 'abc.f32.77.1.tmp');
    writeFileSync(crashedWeight, 'x');
    utimesSync(crashedWeight, old, old);
    const liveSave = path.join(dir, `${OPTIMIZED_PREFIX}bb.124.cafe.tmp`);
    mkdirSync(liveSave);
    const oldMarker = path.join(dir, `${OPTIMIZED_PREFIX}cc.seen`);
    writeFileSync(oldMarker, '');
    utimesSync(oldMarker, ancient, ancient);
    const marker = path.join(dir, `${OPTIMIZED_PREFIX}dd.seen`);
    writeFileSync(marker, '');
    await new WeightCache({ dir }).bind(graph.weights(), weights, 'unet');
    expect([crashedSave, crashedWeight, oldMarker].filter(existsSync)).toEqual([]);
    expect([liveSave, marker].every(existsSync)).toBe(true);
  });

  it('a reload needs none of the materialised weight files; a rebuild writes them again', async () => {
    const dir = path.join(root, 'f');
    const f32 = () => readdirSync(dir).filter((f) => f.endsWith('.f32'));
    const logs: string[] = [];
    const build = async () => {
      await sessionCache.clear();
      const unet = await createUNet(weights, { device: 'cpu', cache: new WeightCache({ dir }), log: (l) => logs.push(l) });
      await backgroundSaves();
      return (
        await unet.run({ data: feeds().x.data as Float32Array, shape: [2, 4, 8, 8] }, Float32Array.of(10, 900), {
          data: feeds().context.data as Float32Array,
          shape: [2, 3, 16],
        })
      ).data;
    };
    const first = await build();
    await build(); // saves
    const written = f32();
    expect(written.length).toBeGreaterThan(0);
    for (const f of written) rmSync(path.join(dir, f));
    expect(await build()).toEqual(first);
    expect(logs.some((l) => /reloaded onnxruntime's optimised model/.test(l))).toBe(true);
    expect(f32()).toEqual([]);
    // the saved model goes bad: the rebuild must materialise the weights again before onnxruntime reads them
    const saved = readdirSync(dir).find((f) => f.startsWith(OPTIMIZED_PREFIX) && !f.includes('.'))!;
    truncateSync(path.join(dir, saved, 'model.onnx'), 10);
    expect(await build()).toEqual(first);
    expect(f32().sort()).toEqual([...written].sort());
    await sessionCache.clear();
  });
});
