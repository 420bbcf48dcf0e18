import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ImagePadForOutpaint',
  version: 1,
  title: 'Pad Image for Outpainting',
  category: 'image',
  description:
    'Grows images by the given margins, filled with grey (0.5); MASK is 1 over the new margins and fades from the image edges that were padded over `feathering` pixels.',
  io: [
    socket('image', 'IMAGE'),
    int('left', { min: 0, max: 16384, step: 8, default: 0 }),
    int('top', { min: 0, max: 16384, step: 8, default: 0 }),
    int('right', { min: 0, max: 16384, step: 8, default: 0 }),
    int('bottom', { min: 0, max: 16384, step: 8, default: 0 }),
    int('feathering', { min: 0, max: 16384, step: 1, default: 40 }),
  ],
  outputs: [out1('IMAGE'), out1('MASK')],
});
