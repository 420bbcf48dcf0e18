import { defineSchema, float, out1 } from '../define';

export const schema = defineSchema({
  id: 'SamplerEulerAncestralCFGPP',
  version: 1,
  title: 'SamplerEulerAncestralCFG++',
  category: 'sampling/custom_sampling/samplers',
  description: 'Euler ancestral CFG++ with its eta and noise scale.',
  io: [
    float('eta', { min: 0, max: 1, step: 0.01, round: false, default: 1 }),
    float('s_noise', { min: 0, max: 10, step: 0.01, round: false, default: 1 }),
  ],
  outputs: [out1('SAMPLER')],
});
