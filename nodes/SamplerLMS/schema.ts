import { defineSchema, int, out1 } from '../define';

export const schema = defineSchema({
  id: 'SamplerLMS',
  version: 1,
  title: 'SamplerLMS',
  category: 'sampling/custom_sampling/samplers',
  description: 'Linear multistep of the given order.',
  io: [int('order', { min: 1, max: 100, default: 4 })],
  outputs: [out1('SAMPLER')],
});
