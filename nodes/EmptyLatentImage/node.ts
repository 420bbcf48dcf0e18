import { defineNode } from '../node';
import { schema } from './schema';

/** SD1/SD2/SDXL latents have 4 channels at 1/8 of the image size (ComfyUI floors: width // 8). */
const LATENT_CHANNELS = 4;

export default defineNode(schema, async ({ params }) => {
  const w = Math.floor(params.width / 8);
  const h = Math.floor(params.height / 8);
  const b = params.batch_size;
  return { LATENT: { samples: { shape: [b, LATENT_CHANNELS, h, w], data: new Float32Array(b * LATENT_CHANNELS * h * w) } } };
});
