import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'FlipSigmas',
  version: 1,
  title: 'FlipSigmas',
  category: 'sampling/custom_sampling/sigmas',
  description: 'Reverses the noise levels (for inversion).',
  io: [socket('sigmas', 'SIGMAS')],
  outputs: [out1('SIGMAS')],
});
