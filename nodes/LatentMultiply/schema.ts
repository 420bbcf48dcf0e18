import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'LatentMultiply',
  version: 1,
  title: 'Multiply Latent',
  category: 'latent/advanced',
  description: 'Multiplies every latent value by a constant.',
  io: [socket('samples', 'LATENT'), float('multiplier', { min: -10, max: 10, step: 0.01, default: 1 })],
  outputs: [out1('LATENT')],
});
