import { defineSchema, out, socket } from '../define';

export const schema = defineSchema({
  id: 'SamplerCustomAdvanced',
  version: 1,
  title: 'SamplerCustomAdvanced',
  category: 'sampling/custom_sampling',
  description: 'Samples a latent from its parts: NOISE, GUIDER, SAMPLER and SIGMAS; also outputs the last denoised estimate.',
  io: [
    socket('noise', 'NOISE'),
    socket('guider', 'GUIDER'),
    socket('sampler', 'SAMPLER'),
    socket('sigmas', 'SIGMAS'),
    socket('latent_image', 'LATENT'),
  ],
  outputs: [out('output', 'LATENT'), out('denoised_output', 'LATENT')],
});
