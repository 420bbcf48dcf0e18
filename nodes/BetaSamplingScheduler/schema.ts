import { defineSchema, float, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'BetaSamplingScheduler',
  version: 1,
  title: 'BetaSamplingScheduler',
  category: 'sampling/custom_sampling/schedulers',
  description: "Noise levels at the quantiles of a beta distribution over the model's timesteps.",
  io: [
    socket('model', 'MODEL'),
    int('steps', { min: 1, max: 10000, default: 20 }),
    float('alpha', { min: 0, max: 50, step: 0.01, round: false, default: 0.6 }),
    float('beta', { min: 0, max: 50, step: 0.01, round: false, default: 0.6 }),
  ],
  outputs: [out1('SIGMAS')],
});
