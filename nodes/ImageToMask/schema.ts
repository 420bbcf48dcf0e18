import { combo, defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ImageToMask',
  version: 1,
  title: 'Convert Image to Mask',
  category: 'mask',
  description: 'One channel of the image as a mask.',
  io: [socket('image', 'IMAGE'), combo('channel', ['red', 'green', 'blue', 'alpha'])],
  outputs: [out1('MASK')],
});
