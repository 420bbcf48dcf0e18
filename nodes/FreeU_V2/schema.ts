import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'FreeU_V2',
  version: 1,
  title: 'FreeU_V2',
  category: 'model_patches/unet',
  description: "FreeU v2: as FreeU, with the backbone scaled in proportion to each position's normalised mean activation.",
  io: [
    socket('model', 'MODEL'),
    float('b1', { min: 0, max: 10, step: 0.01, default: 1.3, description: 'backbone scale, deepest stage' }),
    float('b2', { min: 0, max: 10, step: 0.01, default: 1.4, description: 'backbone scale, second stage' }),
    float('s1', { min: 0, max: 10, step: 0.01, default: 0.9, description: 'skip low-frequency scale, deepest stage' }),
    float('s2', { min: 0, max: 10, step: 0.01, default: 0.2, description: 'skip low-frequency scale, second stage' }),
  ],
  outputs: [out1('MODEL')],
});
