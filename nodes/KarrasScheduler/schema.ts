import { defineSchema, float, int, out1 } from '../define';

export const schema = defineSchema({
  id: 'KarrasScheduler',
  version: 1,
  title: 'KarrasScheduler',
  category: 'sampling/custom_sampling/schedulers',
  description: 'Karras et al. noise levels between sigma_max and sigma_min.',
  io: [
    int('steps', { min: 1, max: 10000, default: 20 }),
    float('sigma_max', { min: 0, max: 5000, step: 0.01, round: false, default: 14.614642 }),
    float('sigma_min', { min: 0, max: 5000, step: 0.01, round: false, default: 0.0291675 }),
    float('rho', { min: 0, max: 100, step: 0.01, round: false, default: 7 }),
  ],
  outputs: [out1('SIGMAS')],
});
