import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'AddNoise',
  version: 1,
  title: 'AddNoise',
  category: '_for_testing/custom_sampling/noise',
  description: 'Adds the NOISE to a latent at the level its SIGMAS span, without sampling (experimental in ComfyUI).',
  io: [socket('model', 'MODEL'), socket('noise', 'NOISE'), socket('sigmas', 'SIGMAS'), socket('latent_image', 'LATENT')],
  outputs: [out1('LATENT')],
});
