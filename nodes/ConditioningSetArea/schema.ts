import { defineSchema, float, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ConditioningSetArea',
  version: 1,
  title: 'Conditioning (Set Area)',
  category: 'conditioning',
  description: 'Applies the conditioning only to a rectangle of the image (pixels, rounded down to 8), with soft edges inside the image.',
  io: [
    socket('conditioning', 'CONDITIONING'),
    int('width', { min: 64, max: 16384, step: 8, default: 64 }),
    int('height', { min: 64, max: 16384, step: 8, default: 64 }),
    int('x', { min: 0, max: 16384, step: 8, default: 0 }),
    int('y', { min: 0, max: 16384, step: 8, default: 0 }),
    float('strength', { min: 0, max: 10, step: 0.01, default: 1 }),
  ],
  outputs: [out1('CONDITIONING')],
});
