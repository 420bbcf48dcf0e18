import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'SetLatentNoiseMask',
  version: 1,
  title: 'Set Latent Noise Mask',
  category: 'latent/inpaint',
  description: 'Marks where the sampler may change the latent (mask 1); elsewhere the original is kept. The mask is resized to the latent.',
  io: [socket('samples', 'LATENT'), socket('mask', 'MASK')],
  outputs: [out1('LATENT')],
});
