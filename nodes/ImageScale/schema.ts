import { combo, defineSchema, int, out1, socket } from '../define';
import { CROP_METHODS, IMAGE_UPSCALE_METHODS } from '../_tensor/options';

export const schema = defineSchema({
  id: 'ImageScale',
  version: 1,
  title: 'Upscale Image',
  category: 'image/upscaling',
  description:
    'Resizes images to width x height; a size of 0 keeps the aspect ratio, both 0 leave the image unchanged. "center" crops to the new aspect first.',
  io: [
    socket('image', 'IMAGE'),
    combo('upscale_method', IMAGE_UPSCALE_METHODS),
    int('width', { min: 0, max: 16384, step: 1, default: 512 }),
    int('height', { min: 0, max: 16384, step: 1, default: 512 }),
    combo('crop', CROP_METHODS),
  ],
  outputs: [out1('IMAGE')],
});
