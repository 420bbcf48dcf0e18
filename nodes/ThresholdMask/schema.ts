import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ThresholdMask',
  version: 1,
  title: 'Threshold Mask',
  category: 'mask',
  description: '1 where the mask is above value, else 0.',
  io: [socket('mask', 'MASK'), float('value', { min: 0, max: 1, step: 0.01, default: 0.5 })],
  outputs: [out1('MASK')],
});
