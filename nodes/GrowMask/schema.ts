import { bool, defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'GrowMask',
  version: 1,
  title: 'Grow Mask',
  category: 'mask',
  description: 'Grows (expand > 0) or shrinks (< 0) the mask by that many pixels; tapered corners grow by a diamond rather than a square.',
  io: [socket('mask', 'MASK'), int('expand', { min: -16384, max: 16384, step: 1, default: 0 }), bool('tapered_corners', { default: true })],
  outputs: [out1('MASK')],
});
