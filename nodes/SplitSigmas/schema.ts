import { defineSchema, int, out, socket } from '../define';

export const schema = defineSchema({
  id: 'SplitSigmas',
  version: 1,
  title: 'SplitSigmas',
  category: 'sampling/custom_sampling/sigmas',
  description: 'Splits the noise levels at a step: the first part for one sampler, the rest for another.',
  io: [socket('sigmas', 'SIGMAS'), int('step', { min: 0, max: 10000, default: 0 })],
  outputs: [out('high_sigmas', 'SIGMAS'), out('low_sigmas', 'SIGMAS')],
});
