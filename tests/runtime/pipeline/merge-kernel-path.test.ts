import { expect, it } from 'vitest';
import { describeGolden, golden } from '../../helpers/golden';
import { loadCheckpoint } from '../../../server/runtime/checkpoint/load';
import { kernelStats } from '../../../server/runtime/checkpoint/merge-kernel';
import type { WeightProvider } from '../../../server/runtime/checkpoint/weights';
import { mergeProvider, type MergeSpec } from '../../../server/runtime/checkpoint/merge-handles';

/** The same weights with no file ranges: forces the JS path (as a LoRA-patched input would). */
const inMemory = (p: WeightProvider): WeightProvider => ({ ...p, fileRange: () => undefined });
const bits = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

describeGolden('MergeCheckpoints over file-backed checkpoints uses the WASM kernel', () => {
  it.each([
    ['weighted_sum', 0.35],
    ['add_difference', 0.8],
  ] as const)('%s: same bits as the JS path, ComfyUI semantics', async (mode, ratio) => {
    const [A, B] = await Promise.all([
      loadCheckpoint(golden('tiny-sd1', 'model.safetensors')),
      loadCheckpoint(golden('tiny-sd1', 'model_b.safetensors')),
    ]);
    const [a, b] = [A.provider('unet'), B.provider('unet')];
    const spec = (x: WeightProvider, y: WeightProvider, z?: WeightProvider): MergeSpec => ({
      mode,
      a: x,
      b: y,
      ...(z ? { c: z } : {}),
      ratio: () => ratio,
    });
    const c = mode === 'add_difference' ? a : undefined;
    const fast = mergeProvider(spec(a, b, c));
    const slow = mergeProvider(spec(inMemory(a), inMemory(b), c && inMemory(c)));
    const names = a
      .names()
      .filter((n) => n.endsWith('.weight'))
      .slice(0, 12);
    for (const name of names) {
      const before = kernelStats.tensors;
      const got = await fast.float32(name);
      expect(kernelStats.tensors, name).toBe(before + 1);
      expect(bits(got).equals(bits(await slow.float32(name))), name).toBe(true);
      const [va, vb] = await Promise.all([a.float32(name), b.float32(name)]);
      const i = got.length >> 1;
      const want = mode === 'weighted_sum' ? va[i] * ratio + vb[i] * (1 - ratio) : va[i] + (vb[i] - va[i]) * ratio;
      expect(got[i]).toBeCloseTo(want, 5);
    }
  });
});
