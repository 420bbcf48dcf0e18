import { defineSchema, int, out1 } from '../define';

export const schema = defineSchema({
  id: 'EmptyImage',
  version: 1,
  title: 'Empty Image',
  category: 'image',
  description: 'A batch of images of one colour (0xRRGGBB).',
  io: [
    int('width', { min: 1, max: 16384, step: 1, default: 512 }),
    int('height', { min: 1, max: 16384, step: 1, default: 512 }),
    int('batch_size', { min: 1, max: 4096, default: 1 }),
    int('color', { min: 0, max: 0xffffff, step: 1, default: 0 }),
  ],
  outputs: [out1('IMAGE')],
});
