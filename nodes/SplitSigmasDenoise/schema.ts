import { defineSchema, float, out, socket } from '../define';

export const schema = defineSchema({
  id: 'SplitSigmasDenoise',
  version: 1,
  title: 'SplitSigmasDenoise',
  category: 'sampling/custom_sampling/sigmas',
  description: 'Splits the noise levels by a denoise fraction.',
  io: [socket('sigmas', 'SIGMAS'), float('denoise', { min: 0, max: 1, step: 0.01, default: 1 })],
  outputs: [out('high_sigmas', 'SIGMAS'), out('low_sigmas', 'SIGMAS')],
});
