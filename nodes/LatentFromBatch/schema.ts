import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'LatentFromBatch',
  version: 1,
  title: 'Latent From Batch',
  category: 'latent/batch',
  description: 'Takes `length` latents from the batch starting at batch_index; they keep the noise they had in the batch.',
  io: [socket('samples', 'LATENT'), int('batch_index', { min: 0, max: 63, default: 0 }), int('length', { min: 1, max: 64, default: 1 })],
  outputs: [out1('LATENT')],
});
