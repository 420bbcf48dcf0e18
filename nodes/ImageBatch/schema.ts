import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ImageBatch',
  version: 1,
  title: 'Batch Images',
  category: 'image',
  description:
    'Joins two image batches; image2 is resized to image1 (bilinear, centre crop) when their sizes differ, and gains an alpha channel of 1s if image1 has one.',
  io: [socket('image1', 'IMAGE'), socket('image2', 'IMAGE')],
  outputs: [out1('IMAGE')],
  deprecated: true,
});
