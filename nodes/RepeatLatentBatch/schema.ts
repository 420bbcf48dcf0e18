import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'RepeatLatentBatch',
  version: 1,
  title: 'Repeat Latent Batch',
  category: 'latent/batch',
  description: 'Repeats the whole batch `amount` times; batch indices (noise seeds) continue past the original ones.',
  io: [socket('samples', 'LATENT'), int('amount', { min: 1, max: 64, default: 1 })],
  outputs: [out1('LATENT')],
});
