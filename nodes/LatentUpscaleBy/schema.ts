import { combo, defineSchema, float, out1, socket } from '../define';
import { LATENT_UPSCALE_METHODS } from '../_tensor/options';

export const schema = defineSchema({
  id: 'LatentUpscaleBy',
  version: 1,
  title: 'Upscale Latent By',
  category: 'latent',
  description: 'Resizes latents by a factor (each side rounded as Python rounds).',
  io: [
    socket('samples', 'LATENT'),
    combo('upscale_method', LATENT_UPSCALE_METHODS),
    float('scale_by', { min: 0.01, max: 8, step: 0.01, default: 1.5 }),
  ],
  outputs: [out1('LATENT')],
});
