import type { NodeRunner } from '../runner';
import type { LatentValue } from '../values';

/** SD1/SD2/SDXL latents have 4 channels at 1/8 the image size. */
const LATENT_CHANNELS = 4;

export const run: NodeRunner = async ({ params }) => {
  const w = Number(params.width) / 8;
  const h = Number(params.height) / 8;
  const b = Number(params.batch_size);
  const latent: LatentValue = { samples: { shape: [b, LATENT_CHANNELS, h, w], data: new Float32Array(b * LATENT_CHANNELS * h * w) } };
  return { latent };
};
