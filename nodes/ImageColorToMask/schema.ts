import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ImageColorToMask',
  version: 1,
  title: 'Image Color to Mask',
  category: 'mask',
  description: '1 where the pixel, in 8 bits, is exactly the colour 0xRRGGBB, else 0.',
  io: [socket('image', 'IMAGE'), int('color', { min: 0, max: 0xffffff, step: 1, default: 0 })],
  outputs: [out1('MASK')],
});
