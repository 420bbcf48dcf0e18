import { combo, defineSchema, float, out1 } from '../define';

export const schema = defineSchema({
  id: 'SamplerSEEDS2',
  version: 1,
  title: 'SamplerSEEDS2',
  category: 'sampling/custom_sampling/samplers',
  description: 'SEEDS-2 exponential solver.',
  io: [
    combo('solver_type', ['phi_1', 'phi_2']),
    float('eta', { min: 0, max: 100, step: 0.01, round: false, default: 1 }),
    float('s_noise', { min: 0, max: 100, step: 0.01, round: false, default: 1 }),
    float('r', { min: 0.01, max: 1, step: 0.01, round: false, default: 0.5 }),
  ],
  outputs: [out1('SAMPLER')],
});
