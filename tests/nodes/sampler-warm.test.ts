/**
 * Every node that knows a sampler's MODEL before the conditionings (KSampler, KSamplerAdvanced, SamplerCustom and
 * the guiders SamplerCustomAdvanced samples through) starts the UNet build as soon as the model is known, through the
 * same model-cache key the sampler then joins.
 */
import { describe, expect, it } from 'vitest';
import type { ModelHandle } from '../../server/runtime/handles';
import { ModelCache } from '../../server/runtime/model-cache';
import { REGISTRY } from '../../nodes/registry';

class Recording extends ModelCache {
  readonly asked: string[] = [];
  override get<T>(key: string): Promise<T> {
    this.asked.push(key);
    return new Promise<T>(() => {}); // a build that never ends: only the request matters here
  }
}

describe('early UNet builds', () => {
  const model = { key: 'model-7' } as unknown as ModelHandle;
  for (const id of ['KSampler', 'KSamplerAdvanced', 'SamplerCustom', 'CFGGuider', 'BasicGuider', 'DualCFGGuider', 'PerpNegGuider']) {
    it(`${id} starts the UNet build from its model input alone`, () => {
      const warm = REGISTRY.implementation(id)?.warm;
      expect(warm, `${id} has no warm()`).toBeTypeOf('function');
      const models = new Recording(1e9);
      warm!({}, { models, signal: new AbortController().signal });
      expect(models.asked).toEqual([]);
      warm!({ model }, { models, signal: new AbortController().signal });
      expect(models.asked).toEqual(['unet|model-7']);
    });
  }
});
