import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ImageInvert',
  version: 1,
  title: 'Invert Image',
  category: 'image',
  description: '1 − every value.',
  io: [socket('image', 'IMAGE')],
  outputs: [out1('IMAGE')],
});
