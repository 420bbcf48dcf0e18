import { bool, defineSchema, int, optional, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ImageCompositeMasked',
  version: 1,
  title: 'Image Composite Masked',
  category: 'image',
  description:
    'Pastes source into destination at (x, y) through an optional mask resized to the source; resize_source first resizes the source to the destination.',
  io: [
    socket('destination', 'IMAGE'),
    socket('source', 'IMAGE'),
    int('x', { min: 0, max: 16384, step: 1, default: 0 }),
    int('y', { min: 0, max: 16384, step: 1, default: 0 }),
    bool('resize_source', { default: false }),
    optional('mask', 'MASK'),
  ],
  outputs: [out1('IMAGE')],
});
