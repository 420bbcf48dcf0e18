import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'Canny',
  version: 1,
  title: 'Canny',
  category: 'image/preprocessors',
  description:
    "Canny edges (kornia's, as ComfyUI uses): white where an edge is, black elsewhere. Thresholds are on the gradient magnitude of the 0..1 grey image.",
  io: [
    socket('image', 'IMAGE'),
    float('low_threshold', { min: 0.01, max: 0.99, step: 0.01, default: 0.4 }),
    float('high_threshold', { min: 0.01, max: 0.99, step: 0.01, default: 0.8 }),
  ],
  outputs: [out1('IMAGE')],
});
