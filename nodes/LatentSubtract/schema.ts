import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'LatentSubtract',
  version: 1,
  title: 'Subtract Latents',
  category: 'latent/advanced',
  description: "Subtracts samples2 from samples1; samples2 is first brought to samples1's size (bilinear, centre crop) and batch.",
  io: [socket('samples1', 'LATENT'), socket('samples2', 'LATENT')],
  outputs: [out1('LATENT')],
});
