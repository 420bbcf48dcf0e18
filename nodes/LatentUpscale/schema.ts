import { combo, defineSchema, int, out1, socket } from '../define';
import { CROP_METHODS, LATENT_UPSCALE_METHODS } from '../_tensor/options';

export const schema = defineSchema({
  id: 'LatentUpscale',
  version: 1,
  title: 'Upscale Latent',
  category: 'latent',
  description:
    'Resizes latents to a pixel size (at least 64, floored to a multiple of 8); a size of 0 keeps the aspect ratio, both 0 leave the latent unchanged. "center" crops to the new aspect first.',
  io: [
    socket('samples', 'LATENT'),
    combo('upscale_method', LATENT_UPSCALE_METHODS),
    int('width', { min: 0, max: 16384, step: 8, default: 512 }),
    int('height', { min: 0, max: 16384, step: 8, default: 512 }),
    combo('crop', CROP_METHODS),
  ],
  outputs: [out1('LATENT')],
});
