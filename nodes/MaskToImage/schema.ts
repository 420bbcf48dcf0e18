import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'MaskToImage',
  version: 1,
  title: 'Convert Mask to Image',
  category: 'mask',
  description: 'A grey image: the mask in all three channels.',
  io: [socket('mask', 'MASK')],
  outputs: [out1('IMAGE')],
});
