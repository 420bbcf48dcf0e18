import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'FeatherMask',
  version: 1,
  title: 'Feather Mask',
  category: 'mask',
  description: 'Fades the mask linearly to 0 towards each edge over the given widths.',
  io: [
    socket('mask', 'MASK'),
    int('left', { min: 0, max: 16384, step: 1, default: 0 }),
    int('top', { min: 0, max: 16384, step: 1, default: 0 }),
    int('right', { min: 0, max: 16384, step: 1, default: 0 }),
    int('bottom', { min: 0, max: 16384, step: 1, default: 0 }),
  ],
  outputs: [out1('MASK')],
});
