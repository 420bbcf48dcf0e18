import { combo, defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'MaskComposite',
  version: 1,
  title: 'Mask Composite',
  category: 'mask',
  description:
    'Combines source into destination at (x, y) with an operation (and/or/xor on values rounded to 0 or 1); the result is clamped to 0..1.',
  io: [
    socket('destination', 'MASK'),
    socket('source', 'MASK'),
    int('x', { min: 0, max: 16384, step: 1, default: 0 }),
    int('y', { min: 0, max: 16384, step: 1, default: 0 }),
    combo('operation', ['multiply', 'add', 'subtract', 'and', 'or', 'xor']),
  ],
  outputs: [out1('MASK')],
});
