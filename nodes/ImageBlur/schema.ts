import { defineSchema, float, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ImageBlur',
  version: 1,
  title: 'Image Blur',
  category: 'image/postprocessing',
  description: "Gaussian blur over a (2·radius + 1)² window; sigma is relative to the radius (ComfyUI's kernel spans −1..1).",
  io: [
    socket('image', 'IMAGE'),
    int('blur_radius', { min: 1, max: 31, step: 1, default: 1 }),
    float('sigma', { min: 0.1, max: 10, step: 0.1, default: 1 }),
  ],
  outputs: [out1('IMAGE')],
});
