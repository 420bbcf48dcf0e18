/** Shared setup of the golden model suites: reference tensors, a temp weight cache, sessions released after. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { golden } from './golden';
import { readGoldenTensors, type GoldenTensor } from './read-golden';
import type { F32Tensor } from '../../server/runtime/models';
import { WeightCache } from '../../server/runtime/onnx/weights-cache';
import { sessionCache } from '../../server/runtime/onnx/session-cache';

export const asF32 = (g: GoldenTensor): F32Tensor => ({ data: g.data as Float32Array, shape: g.shape });

export interface GoldenModels {
  /** path of a file in the model fixture (default model.safetensors) */
  model(file?: string): string;
  /** a reference tensor; a missing key is an error naming it */
  get(key: string): GoldenTensor;
  /** CPU runtime options with this suite's weight cache */
  cpu(): { device: 'cpu'; cache: WeightCache; log: () => void };
}

/**
 * Call inside a describeGolden: reads `<refs>/golden.safetensors` before the suite's tests and gives a fresh
 * weight cache; afterwards releases the sessions and deletes the cache.
 */
export function goldenModels(fixture: string, refs = fixture): GoldenModels {
  let gold = new Map<string, GoldenTensor>();
  let dir = '';
  let cache: WeightCache | undefined;
  beforeAll(async () => {
    gold = await readGoldenTensors(golden(refs, 'golden.safetensors'));
    dir = mkdtempSync(path.join(tmpdir(), `loom-${refs}-wc-`));
    cache = new WeightCache({ dir });
  });
  afterAll(async () => {
    await sessionCache.clear();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    model: (file = 'model.safetensors') => golden(fixture, file),
    get(key) {
      const v = gold.get(key);
      if (!v) throw new Error(`golden ${refs}: ${key} missing`);
      return v;
    },
    cpu: () => {
      if (!cache) throw new Error('goldenModels: runtime options asked for before the suite started');
      return { device: 'cpu' as const, cache, log: () => {} };
    },
  };
}
