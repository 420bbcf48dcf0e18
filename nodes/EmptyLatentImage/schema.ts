import { defineSchema, int, out1 } from '../define';

export const schema = defineSchema({
  id: 'EmptyLatentImage',
  version: 1,
  title: 'Empty Latent Image',
  category: 'latent',
  description: 'A batch of empty latents for an image of the given size (the size is floored to a multiple of 8 pixels).',
  io: [
    int('width', { min: 16, max: 16384, step: 8, default: 512 }),
    int('height', { min: 16, max: 16384, step: 8, default: 512 }),
    int('batch_size', { min: 1, max: 4096, default: 1 }),
  ],
  outputs: [out1('LATENT')],
});
