import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'InvertMask',
  version: 1,
  title: 'Invert Mask',
  category: 'mask',
  description: '1 − every value.',
  io: [socket('mask', 'MASK')],
  outputs: [out1('MASK')],
});
