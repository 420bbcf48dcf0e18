import { bool, defineSchema, float, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'SamplerSASolver',
  version: 1,
  title: 'SamplerSASolver',
  category: 'sampling/custom_sampling/samplers',
  description: 'SA-Solver predictor-corrector with an SDE window.',
  io: [
    socket('model', 'MODEL'),
    float('eta', { min: 0, max: 10, step: 0.01, round: false, default: 1 }),
    float('sde_start_percent', { min: 0, max: 1, step: 0.001, default: 0.2 }),
    float('sde_end_percent', { min: 0, max: 1, step: 0.001, default: 0.8 }),
    float('s_noise', { min: 0, max: 100, step: 0.01, round: false, default: 1 }),
    int('predictor_order', { min: 1, max: 6, default: 3 }),
    int('corrector_order', { min: 0, max: 6, default: 4 }),
    bool('use_pece', { default: false }),
    bool('simple_order_2', { default: false }),
  ],
  outputs: [out1('SAMPLER')],
});
