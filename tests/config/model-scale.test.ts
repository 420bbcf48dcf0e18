import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listModels, ModelListCache } from '../../server/config/model-list';
import { resolveModelName } from '../../server/config/model-names';
import { tempDir } from './model-tree';

// bounds are generous (shared 2-core machine); the measured numbers are printed
describe('5,000 model files', () => {
  const models = path.join(tempDir(), 'models');
  for (let d = 0; d < 50; d++) {
    const dir = path.join(models, 'loras', `Set ${d}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(dir, `lora_${d}_${f}.safetensors`), '');
  }
  const paths = { models };

  it('lists cold in well under a second and answers warm from the cache', () => {
    const cache = new ModelListCache();
    let t = performance.now();
    expect(listModels(paths, 'loras', cache)).toHaveLength(5000);
    const cold = performance.now() - t;
    const first = cache.get(paths, 'loras');
    t = performance.now();
    for (let i = 0; i < 20; i++) expect(cache.get(paths, 'loras')).toBe(first);
    const warm = (performance.now() - t) / 20;
    console.log(`5,000 files: cold listing ${cold.toFixed(1)} ms, warm check ${warm.toFixed(2)} ms`);
    expect(cold).toBeLessThan(1000);
    expect(warm).toBeLessThan(50);
  });

  it('resolves every naming rule fast from a warm cache, and a miss with suggestions', () => {
    const cache = new ModelListCache();
    let t = performance.now();
    expect(resolveModelName(paths, 'loras', 'Set 7/lora_7_42.safetensors', cache)).toMatchObject({ ok: true, rule: 'exact' });
    const cold = performance.now() - t;
    const names = ['Set 7\\lora_7_42.safetensors', 'set 7/LORA_7_42.safetensors', 'lora_7_42.safetensors', 'lora_7_42', 'LORA_7_42'];
    const got: string[] = [];
    t = performance.now();
    for (let i = 0; i < 100; i++)
      for (const n of names) {
        const r = resolveModelName(paths, 'loras', n, cache);
        got.push(r.ok ? r.name : r.message);
      }
    const warm = (performance.now() - t) / 500;
    expect(new Set(got)).toEqual(new Set(['Set 7/lora_7_42.safetensors']));
    t = performance.now();
    const miss = resolveModelName(paths, 'loras', 'lora_7_420.safetensors', cache);
    const missMs = performance.now() - t;
    expect(miss).toMatchObject({ ok: false, reason: 'not-found' });
    expect(!miss.ok && miss.suggestions).toEqual(['Set 7/lora_7_20.safetensors', 'Set 7/lora_7_40.safetensors', 'Set 7/lora_7_42.safetensors']); // all one edit away
    console.log(
      `5,000 files: first resolve ${cold.toFixed(1)} ms, warm ${warm.toFixed(3)} ms per name, miss with suggestions ${missMs.toFixed(1)} ms`,
    );
    expect(cold).toBeLessThan(1000);
    expect(warm).toBeLessThan(20);
    expect(missMs).toBeLessThan(1000);
  });
});
