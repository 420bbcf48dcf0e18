import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ImageFromBatch',
  version: 1,
  title: 'Image From Batch',
  category: 'image/batch',
  description: 'Takes `length` images from the batch starting at batch_index.',
  io: [socket('image', 'IMAGE'), int('batch_index', { min: 0, max: 4095, default: 0 }), int('length', { min: 1, max: 4096, default: 1 })],
  outputs: [out1('IMAGE')],
});
