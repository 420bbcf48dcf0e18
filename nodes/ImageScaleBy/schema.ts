import { combo, defineSchema, float, out1, socket } from '../define';
import { IMAGE_UPSCALE_METHODS } from '../_tensor/options';

export const schema = defineSchema({
  id: 'ImageScaleBy',
  version: 1,
  title: 'Upscale Image By',
  category: 'image/upscaling',
  description: 'Resizes images by a factor (each side rounded as Python rounds).',
  io: [socket('image', 'IMAGE'), combo('upscale_method', IMAGE_UPSCALE_METHODS), float('scale_by', { min: 0.01, max: 8, step: 0.01, default: 1 })],
  outputs: [out1('IMAGE')],
});
