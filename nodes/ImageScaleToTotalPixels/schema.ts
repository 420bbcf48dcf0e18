import { combo, defineSchema, float, int, out1, socket } from '../define';
import { IMAGE_UPSCALE_METHODS } from '../_tensor/options';

export const schema = defineSchema({
  id: 'ImageScaleToTotalPixels',
  version: 1,
  title: 'Scale Image to Total Pixels',
  category: 'image/upscaling',
  description:
    'Resizes images, keeping the aspect ratio, to about `megapixels` million pixels (1 MP = 1024·1024), each side a multiple of resolution_steps.',
  io: [
    socket('image', 'IMAGE'),
    combo('upscale_method', IMAGE_UPSCALE_METHODS),
    float('megapixels', { min: 0.01, max: 16, step: 0.01, default: 1 }),
    int('resolution_steps', { min: 1, max: 256, default: 1 }),
  ],
  outputs: [out1('IMAGE')],
});
