import { combo, defineSchema, inputFile, out1 } from '../define';

export const schema = defineSchema({
  id: 'LoadImageMask',
  version: 1,
  title: 'Load Image (as Mask)',
  category: 'mask',
  description: "Loads one channel of an image from the input/ folder as a mask; alpha is inverted (1 − alpha), as LoadImage's MASK.",
  io: [inputFile('image', { accept: ['.png', '.jpg', '.jpeg', '.webp'], upload: true }), combo('channel', ['alpha', 'red', 'green', 'blue'])],
  outputs: [out1('MASK')],
});
