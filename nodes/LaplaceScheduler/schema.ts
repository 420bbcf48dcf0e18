import { defineSchema, float, int, out1 } from '../define';

export const schema = defineSchema({
  id: 'LaplaceScheduler',
  version: 1,
  title: 'LaplaceScheduler',
  category: 'sampling/custom_sampling/schedulers',
  description: 'Noise levels from a Laplace distribution in log sigma.',
  io: [
    int('steps', { min: 1, max: 10000, default: 20 }),
    float('sigma_max', { min: 0, max: 5000, step: 0.01, round: false, default: 14.614642 }),
    float('sigma_min', { min: 0, max: 5000, step: 0.01, round: false, default: 0.0291675 }),
    float('mu', { min: -10, max: 10, step: 0.1, round: false, default: 0 }),
    float('beta', { min: 0, max: 10, step: 0.1, round: false, default: 0.5 }),
  ],
  outputs: [out1('SIGMAS')],
});
