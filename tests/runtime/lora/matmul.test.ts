import { describe, expect, it } from 'vitest';
import { matmul } from '../../../server/runtime/checkpoint/lora/math/dense';
import { matmulF32 } from '../../../server/runtime/checkpoint/lora/math/matmul';
import { randT, rng } from './support/random';

describe('LoRA products', () => {
  it('onnxruntime GEMM (used for large deltas) agrees with the JS product', async () => {
    const r = rng(11);
    const a = randT(r, [300, 16]);
    const b = randT(r, [16, 500]);
    const js = matmul(a, b);
    const ort = await matmulF32(a, b, 0);
    expect(ort.shape).toEqual([300, 500]);
    let m = 0;
    for (let i = 0; i < js.data.length; i++) m = Math.max(m, Math.abs(js.data[i] - ort.data[i]));
    expect(m).toBeLessThan(1e-6);
  });

  it('refuses mismatched inner dimensions', async () => {
    const r = rng(1);
    await expect(matmulF32(randT(r, [2, 3]), randT(r, [4, 2]), 0)).rejects.toThrow('matmul shape mismatch [2,3] @ [4,2]');
  });
});
