import { combo, defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ImageBlend',
  version: 1,
  title: 'Image Blend',
  category: 'image/postprocessing',
  description:
    'Blends image2 over image1 with a blend mode, mixed by blend_factor and clamped to 0..1; image2 is resized (bicubic, centre crop) when its size differs.',
  io: [
    socket('image1', 'IMAGE'),
    socket('image2', 'IMAGE'),
    float('blend_factor', { min: 0, max: 1, step: 0.01, default: 0.5 }),
    combo('blend_mode', ['normal', 'multiply', 'screen', 'overlay', 'soft_light', 'difference']),
  ],
  outputs: [out1('IMAGE')],
});
