import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'FreeU',
  version: 1,
  title: 'FreeU',
  category: 'model_patches/unet',
  description: 'FreeU: scales the UNet backbone features (b) and damps the lowest skip frequencies (s) in its two deepest decoder stages.',
  io: [
    socket('model', 'MODEL'),
    float('b1', { min: 0, max: 10, step: 0.01, default: 1.1, description: 'backbone scale, deepest stage' }),
    float('b2', { min: 0, max: 10, step: 0.01, default: 1.2, description: 'backbone scale, second stage' }),
    float('s1', { min: 0, max: 10, step: 0.01, default: 0.9, description: 'skip low-frequency scale, deepest stage' }),
    float('s2', { min: 0, max: 10, step: 0.01, default: 0.2, description: 'skip low-frequency scale, second stage' }),
  ],
  outputs: [out1('MODEL')],
});
