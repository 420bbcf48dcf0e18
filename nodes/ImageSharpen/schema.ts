import { defineSchema, float, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ImageSharpen',
  version: 1,
  title: 'Image Sharpen',
  category: 'image/postprocessing',
  description: 'Unsharp-style sharpening over a (2·radius + 1)² window, strength alpha; the result is clamped to 0..1.',
  io: [
    socket('image', 'IMAGE'),
    int('sharpen_radius', { min: 1, max: 31, step: 1, default: 1 }),
    float('sigma', { min: 0.1, max: 10, step: 0.01, default: 1 }),
    float('alpha', { min: 0, max: 5, step: 0.01, default: 1 }),
  ],
  outputs: [out1('IMAGE')],
});
