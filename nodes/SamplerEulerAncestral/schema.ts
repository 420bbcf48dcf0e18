import { defineSchema, float, out1 } from '../define';

export const schema = defineSchema({
  id: 'SamplerEulerAncestral',
  version: 1,
  title: 'SamplerEulerAncestral',
  category: 'sampling/custom_sampling/samplers',
  description: 'Euler ancestral with its eta and noise scale.',
  io: [
    float('eta', { min: 0, max: 100, step: 0.01, round: false, default: 1 }),
    float('s_noise', { min: 0, max: 100, step: 0.01, round: false, default: 1 }),
  ],
  outputs: [out1('SAMPLER')],
});
