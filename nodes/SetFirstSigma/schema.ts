import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'SetFirstSigma',
  version: 1,
  title: 'SetFirstSigma',
  category: 'sampling/custom_sampling/sigmas',
  description: 'Replaces the first noise level.',
  io: [socket('sigmas', 'SIGMAS'), float('sigma', { min: 0, max: 20000, step: 0.001, round: false, default: 136 })],
  outputs: [out1('SIGMAS')],
});
