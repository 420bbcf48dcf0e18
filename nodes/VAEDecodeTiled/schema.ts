import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'VAEDecodeTiled',
  version: 1,
  title: 'VAE Decode (Tiled)',
  category: '_for_testing',
  description: 'Decodes latents tile by tile (three overlapping tilings averaged, as ComfyUI), so big images fit in memory.',
  io: [
    socket('samples', 'LATENT'),
    socket('vae', 'VAE'),
    int('tile_size', { min: 64, max: 4096, step: 32, default: 512, description: 'tile side in pixels' }),
    int('overlap', {
      min: 0,
      max: 4096,
      step: 32,
      default: 64,
      description: 'overlap of neighbouring tiles in pixels (at most a quarter of the tile)',
    }),
    int('temporal_size', { min: 8, max: 4096, step: 4, default: 64, description: 'only used by video VAEs (frames per tile)' }),
    int('temporal_overlap', { min: 4, max: 4096, step: 4, default: 8, description: 'only used by video VAEs (frames of overlap)' }),
  ],
  outputs: [out1('IMAGE')],
});
