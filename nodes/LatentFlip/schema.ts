import { combo, defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'LatentFlip',
  version: 1,
  title: 'Flip Latent',
  category: 'latent/transform',
  description: 'Mirrors latents top-to-bottom (x-axis) or left-to-right (y-axis).',
  io: [socket('samples', 'LATENT'), combo('flip_method', ['x-axis: vertically', 'y-axis: horizontally'])],
  outputs: [out1('LATENT')],
});
