import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ImageCrop',
  version: 1,
  title: 'Image Crop',
  category: 'image/transform',
  description: 'Crops images to width x height at (x, y); the corner is kept inside the image and the crop ends at its edge.',
  io: [
    socket('image', 'IMAGE'),
    int('width', { min: 1, max: 16384, step: 1, default: 512 }),
    int('height', { min: 1, max: 16384, step: 1, default: 512 }),
    int('x', { min: 0, max: 16384, step: 1, default: 0 }),
    int('y', { min: 0, max: 16384, step: 1, default: 0 }),
  ],
  outputs: [out1('IMAGE')],
});
