import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../../server/runtime/io/safetensors-write';
import { float32ToF16 } from '../../../server/runtime/io/dtype';
import { Graph } from '../../../server/runtime/onnx/builder';
import { Layers } from '../../../server/runtime/onnx/nn';
import { ModelProto } from '../../../server/runtime/onnx/proto';
import { createSession } from '../../../server/runtime/onnx/session';
import { WeightCache } from '../../../server/runtime/onnx/weights-cache';
import { parameterCount, precisionFor } from '../../../server/runtime/models';
import { fileComponent, memoryProvider } from '../../helpers/model-weights';

const dir = mkdtempSync(path.join(tmpdir(), 'loom-f16-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = Float32Array.from({ length: 6 }, (_, i) => (i + 1) / 4); // [3 out, 2 in], exact in fp16
const b = Float32Array.of(0.5, -1, 2);

async function linear(dtype: 'F32' | 'F16', float: 'float32' | 'float16') {
  const file = path.join(dir, `lin-${dtype}.safetensors`);
  const enc = (a: Float32Array) => async () => {
    const t = dtype === 'F16' ? float32ToF16(a) : a;
    return new Uint8Array(t.buffer.slice(t.byteOffset, t.byteOffset + t.byteLength));
  };
  await writeSafetensors(file, [
    { name: 'fc.weight', dtype, shape: [3, 2], data: enc(W) },
    { name: 'fc.bias', dtype, shape: [3], data: enc(b) },
  ]);
  const weights = await fileComponent(file, '');
  const g = new Graph('linear', float);
  const L = new Layers(g, weights, 'linear');
  g.output(g.fp32(L.linear(g.compute(g.input('x', 'float32', ['N', 2])), 'fc')), 'y', 'float32', ['N', 3]);
  return { g, weights };
}

async function runLinear(g: Graph, bound: Awaited<ReturnType<WeightCache['bind']>>) {
  const s = await createSession(g.toModelProto(bound.locations), bound.folder, { label: 'linear', device: 'cpu', log: () => {} });
  const { y } = await s.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2, -1, 0.5), [2, 2]) });
  await s.release();
  return [...(y.data as Float32Array)];
}
const want = [0, 1].flatMap((n) => [0, 1, 2].map((o) => [1, 2, -1, 0.5][n * 2] * W[o * 2] + [1, 2, -1, 0.5][n * 2 + 1] * W[o * 2 + 1] + b[o]));

describe('fp16 graphs (what GPU providers get)', () => {
  it('bind an fp16 checkpoint by reference: only the pre-transposed MatMul weight is materialised, as .f16', async () => {
    const { g, weights } = await linear('F16', 'float16');
    expect(g.weights().every((w) => w.dtype === 'float16')).toBe(true);
    const cacheDir = path.join(dir, 'c16');
    const bound = await new WeightCache({ dir: cacheDir }).bind(g.weights(), weights, 'linear');
    expect({ direct: bound.direct, materialised: bound.materialised }).toEqual({ direct: 1, materialised: 1 });
    const files = readdirSync(cacheDir).filter((f) => /\.f(16|32)$/.test(f));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.f16$/);
    expect(statSync(path.join(cacheDir, files[0])).size).toBe(6 * 2);
    expect(await runLinear(g, bound)).toEqual(want);
  });

  it('convert an fp32 checkpoint to .f16 for an fp16 graph and an fp16 one to .f32 for an fp32 graph, under different cache names', async () => {
    const cacheDir = path.join(dir, 'mixed');
    const a = await linear('F32', 'float16');
    const boundA = await new WeightCache({ dir: cacheDir }).bind(a.g.weights(), a.weights, 'linear');
    expect({ direct: boundA.direct, materialised: boundA.materialised }).toEqual({ direct: 0, materialised: 2 });
    expect(await runLinear(a.g, boundA)).toEqual(want);
    const c = await linear('F32', 'float32');
    const boundC = await new WeightCache({ dir: cacheDir }).bind(c.g.weights(), c.weights, 'linear');
    expect(boundC.identity).not.toBe(boundA.identity);
    expect({ direct: boundC.direct, materialised: boundC.materialised }).toEqual({ direct: 1, materialised: 1 });
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.f16'))).toHaveLength(2);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.f32'))).toHaveLength(1);
    const d = await linear('F16', 'float32');
    expect(await runLinear(d.g, await new WeightCache({ dir: cacheDir }).bind(d.g.weights(), d.weights, 'linear'))).toEqual(want);
  });

  it('scalars and fconst follow the compute type, constant(Float32Array) stays fp32', async () => {
    const g = new Graph('types', 'float16');
    const x = g.compute(g.input('x', 'float32', [2]));
    const y = g.op('Mul', [g.op('Add', [x, g.fconst([1, 2])]), g.scalar(0.5)]);
    const up = g.op('Resize', [g.op('Reshape', [y, g.ints([1, 1, 1, 2])]), null, g.constant(Float32Array.of(1, 1, 1, 2))], { mode: 'nearest' });
    g.output(g.fp32(up), 'y', 'float32', [1, 1, 1, 4]);
    const s = await createSession(g.toModelProto(new Map()), dir, { label: 'types', device: 'cpu', log: () => {} });
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.of(3, 5), [2]) });
    expect([...(out.y.data as Float32Array)]).toEqual([2, 2, 3.5, 3.5]);
    await s.release();
  });

  it('upcast attention runs the score MatMuls and Softmax in fp32 inside an fp16 graph (SD2 needs it)', async () => {
    const weights = await fileComponent(path.join(dir, 'lin-F16.safetensors'), '');
    const build = (upcast: boolean) => {
      const g = new Graph('attn', 'float16');
      const L = new Layers(g, weights, 'attn', { upcastAttention: upcast });
      const q = g.compute(g.input('q', 'float32', [1, 2, 4]));
      g.output(g.fp32(L.attention(q, q, q, 1, 4)), 'y', 'float32', [1, 2, 4]);
      return g.toModelProto(new Map());
    };
    // the CPU provider computes fp16 MatMuls in fp32 anyway, so overflow cannot show here: check the graph instead
    const elemTypes = (bytes: Uint8Array) => {
      const m = ModelProto.toObject(ModelProto.decode(bytes), { defaults: true }) as {
        graph: {
          node: { op_type: string; input: string[]; output: string[]; attribute: { name: string; i: number | { toNumber(): number } }[] }[];
          initializer: { name: string; data_type: number }[];
          input: { name: string }[];
        };
      };
      const type = new Map<string, number>(m.graph.input.map((i) => [i.name, 1]));
      for (const init of m.graph.initializer) type.set(init.name, init.data_type);
      for (const n of m.graph.node) {
        const to = n.attribute.find((a) => a.name === 'to')?.i;
        type.set(n.output[0], n.op_type === 'Cast' ? Number(to) : (type.get(n.input[0]) ?? -1));
      }
      return m.graph.node.filter((n) => n.op_type === 'MatMul' || n.op_type === 'Softmax').map((n) => type.get(n.input[0]));
    };
    expect(elemTypes(build(true))).toEqual([1, 1, 1]);
    expect(elemTypes(build(false))).toEqual([10, 10, 10]);
    const s = await createSession(build(true), dir, { label: 'attn', device: 'cpu', log: () => {} });
    const out = await s.run({ q: new ort.Tensor('float32', Float32Array.of(300, 300, 300, 300, 300, 300, 300, -300), [1, 2, 4]) });
    expect([...(out.y.data as Float32Array)].slice(0, 4)).toEqual([300, 300, 300, 300]);
    await s.release();
  });

  it('default precision: fp32 on CPU, fp16 UNet/CLIP on CUDA, fp32 on WebGPU below SDXL size, fp32 VAE, env overrides', () => {
    expect(precisionFor('cpu', 'unet')).toBe('float32');
    expect(precisionFor('cpu', 'unet', undefined, 2.6e9)).toBe('float32');
    expect(precisionFor('webgpu', 'unet', undefined, 0.86e9)).toBe('float32'); // SD1.5
    expect(precisionFor('webgpu', 'clip', undefined, 0.69e9)).toBe('float32'); // SDXL's bigG
    expect(precisionFor('webgpu', 'unet', undefined, 2.57e9)).toBe('float16'); // SDXL
    expect(precisionFor('webgpu', 'vae', undefined, 2.57e9)).toBe('float32');
    expect(precisionFor('cuda', 'unet', undefined, 0.86e9)).toBe('float16');
    expect(precisionFor('cuda', 'clip')).toBe('float16');
    expect(precisionFor('cuda', 'vae')).toBe('float32');
    expect(precisionFor('cuda', 'unet', 'float32')).toBe('float32');
    process.env.LOOM_PRECISION = 'fp16';
    try {
      expect(precisionFor('cpu', 'unet')).toBe('float16');
      process.env.LOOM_PRECISION = 'fp32';
      expect(precisionFor('webgpu', 'unet', undefined, 2.57e9)).toBe('float32');
      process.env.LOOM_PRECISION = 'half';
      expect(() => precisionFor('cpu', 'unet')).toThrow(/LOOM_PRECISION=half: expected fp32 or fp16/);
    } finally {
      delete process.env.LOOM_PRECISION;
    }
  });

  it("counts a model's parameters from its tensor shapes (what the WebGPU precision rule reads)", () => {
    const t = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    expect(
      parameterCount(
        memoryProvider(
          new Map([
            ['a.weight', t([3, 2])],
            ['a.bias', t([3])],
            ['c', t([2, 2, 3, 3])],
          ]),
          'm',
        ),
      ),
    ).toBe(6 + 3 + 36);
  });
});
