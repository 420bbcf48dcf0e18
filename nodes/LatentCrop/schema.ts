import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'LatentCrop',
  version: 1,
  title: 'Crop Latent',
  category: 'latent/transform',
  description: 'Crops latents to width x height pixels at (x, y) (all floored to multiples of 8; the corner is kept at least 64 px inside).',
  io: [
    socket('samples', 'LATENT'),
    int('width', { min: 64, max: 16384, step: 8, default: 512 }),
    int('height', { min: 64, max: 16384, step: 8, default: 512 }),
    int('x', { min: 0, max: 16384, step: 8, default: 0 }),
    int('y', { min: 0, max: 16384, step: 8, default: 0 }),
  ],
  outputs: [out1('LATENT')],
});
