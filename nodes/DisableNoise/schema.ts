import { defineSchema, out1 } from '../define';

export const schema = defineSchema({
  id: 'DisableNoise',
  version: 1,
  title: 'DisableNoise',
  category: 'sampling/custom_sampling/noise',
  description: 'No added noise (start from the latent as it is).',
  io: [],
  outputs: [out1('NOISE')],
});
