import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'LatentBatch',
  version: 1,
  title: 'Batch Latents',
  category: 'latent/batch',
  description:
    'Joins two latent batches (samples2 resized to samples1, bilinear with centre crop, when they differ); each sample keeps its noise index.',
  io: [socket('samples1', 'LATENT'), socket('samples2', 'LATENT')],
  outputs: [out1('LATENT')],
  deprecated: true,
});
