import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'SetLatentNoiseMask',
  version: 1,
  title: 'Set Latent Noise Mask',
  category: 'latent/inpaint',
  description: 'Sets the mask of the area the sampler may change; it keeps the rest of the latent (mask 0) as it is.',
  io: [socket('samples', 'LATENT'), socket('mask', 'MASK')],
  outputs: [out1('LATENT')],
});
