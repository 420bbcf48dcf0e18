import ort from 'onnxruntime-node';
import { Graph } from '../../../onnx/builder';
import { type Dense, matmul } from './dense';

/** Products at least this large (m·k·n multiply-adds) go to onnxruntime's CPU GEMM; smaller ones stay in JS. */
export const ORT_MATMUL_MIN_WORK = 1 << 22;

let session: Promise<ort.InferenceSession | undefined> | undefined;

/** One tiny MatMul graph with symbolic dims, created on first large product; undefined if ORT is unusable. */
function gemm(): Promise<ort.InferenceSession | undefined> {
  session ??= (async () => {
    try {
      const g = new Graph('lora_matmul');
      const y = g.op1('MatMul', [g.input('a', 'float32', ['M', 'K']), g.input('b', 'float32', ['K', 'N'])]);
      g.output(y, 'y', 'float32', ['M', 'N']);
      return await ort.InferenceSession.create(g.toModelProto(new Map()), { executionProviders: ['cpu'] });
    } catch {
      return undefined; // the JS product is always available
    }
  })();
  return session;
}

/**
 * [m,k] @ [k,n] in fp32. LoRA deltas of real models (e.g. 10240x32 @ 32x1280) take seconds in plain JS,
 * so large products use onnxruntime's multithreaded GEMM (fp32 accumulation, like torch's CPU mm).
 */
export async function matmulF32(a: Dense, b: Dense, minWork = ORT_MATMUL_MIN_WORK): Promise<Dense> {
  const [m, k] = a.shape;
  const n = b.shape[1];
  if (a.shape.length !== 2 || b.shape.length !== 2 || b.shape[0] !== k) throw new Error(`matmul shape mismatch [${a.shape}] @ [${b.shape}]`);
  const s = m * k * n >= minWork ? await gemm() : undefined;
  if (!s) return matmul(a, b);
  const out = await s.run({ a: new ort.Tensor('float32', a.data, [m, k]), b: new ort.Tensor('float32', b.data, [k, n]) });
  return { data: out.y.data as Float32Array, shape: [m, n] };
}
