import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'LatentBlend',
  version: 1,
  title: 'Latent Blend',
  category: '_for_testing',
  description: 'samples1 · blend_factor + samples2 · (1 − blend_factor); samples2 is resized (bicubic, centre crop) when its shape differs.',
  io: [socket('samples1', 'LATENT'), socket('samples2', 'LATENT'), float('blend_factor', { min: 0, max: 1, step: 0.01, default: 0.5 })],
  outputs: [out1('LATENT')],
});
