import { defineSchema, float, int, out1 } from '../define';

export const schema = defineSchema({
  id: 'SolidMask',
  version: 1,
  title: 'Solid Mask',
  category: 'mask',
  description: 'A width x height mask of one value.',
  io: [
    float('value', { min: 0, max: 1, step: 0.01, default: 1 }),
    int('width', { min: 1, max: 16384, step: 1, default: 512 }),
    int('height', { min: 1, max: 16384, step: 1, default: 512 }),
  ],
  outputs: [out1('MASK')],
});
