import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'LatentAdd',
  version: 1,
  title: 'Add Latents',
  category: 'latent/advanced',
  description: "Adds samples2 to samples1; samples2 is first brought to samples1's size (bilinear, centre crop) and batch.",
  io: [socket('samples1', 'LATENT'), socket('samples2', 'LATENT')],
  outputs: [out1('LATENT')],
});
