import { defineSchema, out1, seed } from '../define';

export const schema = defineSchema({
  id: 'RandomNoise',
  version: 1,
  title: 'RandomNoise',
  category: 'sampling/custom_sampling/noise',
  description: "Seeded noise for SamplerCustomAdvanced (the same per-sample noise as KSampler's seed).",
  io: [seed('noise_seed')],
  outputs: [out1('NOISE')],
});
