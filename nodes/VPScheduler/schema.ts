import { defineSchema, float, int, out1 } from '../define';

export const schema = defineSchema({
  id: 'VPScheduler',
  version: 1,
  title: 'VPScheduler',
  category: 'sampling/custom_sampling/schedulers',
  description: 'Variance-preserving (continuous VP-SDE) noise levels.',
  io: [
    int('steps', { min: 1, max: 10000, default: 20 }),
    float('beta_d', { min: 0, max: 5000, step: 0.01, round: false, default: 19.9 }),
    float('beta_min', { min: 0, max: 5000, step: 0.01, round: false, default: 0.1 }),
    float('eps_s', { min: 0, max: 1, step: 0.0001, round: false, default: 0.001 }),
  ],
  outputs: [out1('SIGMAS')],
});
