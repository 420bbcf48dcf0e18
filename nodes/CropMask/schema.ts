import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'CropMask',
  version: 1,
  title: 'Crop Mask',
  category: 'mask',
  description: 'Crops masks to width x height at (x, y); the crop ends at the mask edge.',
  io: [
    socket('mask', 'MASK'),
    int('x', { min: 0, max: 16384, step: 1, default: 0 }),
    int('y', { min: 0, max: 16384, step: 1, default: 0 }),
    int('width', { min: 1, max: 16384, step: 1, default: 512 }),
    int('height', { min: 1, max: 16384, step: 1, default: 512 }),
  ],
  outputs: [out1('MASK')],
});
