import { defineSchema, inputFile, out1 } from '../define';

export const schema = defineSchema({
  id: 'LoadImage',
  version: 1,
  title: 'Load Image',
  category: 'image',
  description: 'Loads an image from the input/ folder as RGB in 0..1; MASK is 1 − alpha (all zeros when the image has no alpha).',
  io: [inputFile('image', { accept: ['.png', '.jpg', '.jpeg', '.webp'], upload: true })],
  outputs: [out1('IMAGE'), out1('MASK')],
});
