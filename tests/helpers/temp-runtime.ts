/** A suite's own weight cache in a temp folder; after the suite, sessions are released and the folder deleted. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { WeightCache } from '../../server/runtime/onnx/weights-cache';
import { sessionCache } from '../../server/runtime/onnx/session-cache';

export interface TempRuntime {
  dir: string;
  cache: WeightCache;
  /** CPU runtime options over this cache, quiet */
  cpu: { device: 'cpu'; cache: WeightCache; log: () => void };
}

/** Call at module level or inside a describe (it registers an afterAll). */
export function tempRuntime(name: string): TempRuntime {
  const dir = mkdtempSync(path.join(tmpdir(), `loom-${name}-`));
  const cache = new WeightCache({ dir });
  afterAll(async () => {
    await sessionCache.clear();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, cache, cpu: { device: 'cpu', cache, log: () => {} } };
}
