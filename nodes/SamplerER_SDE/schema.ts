import { combo, defineSchema, float, int, out1 } from '../define';

export const schema = defineSchema({
  id: 'SamplerER_SDE',
  version: 1,
  title: 'SamplerER_SDE',
  category: 'sampling/custom_sampling/samplers',
  description: 'Extended reverse-time SDE solver.',
  io: [
    combo('solver_type', ['ER-SDE', 'Reverse-time SDE', 'ODE']),
    int('max_stage', { min: 1, max: 3, default: 3 }),
    float('eta', { min: 0, max: 100, step: 0.01, round: false, default: 1 }),
    float('s_noise', { min: 0, max: 100, step: 0.01, round: false, default: 1 }),
  ],
  outputs: [out1('SAMPLER')],
});
