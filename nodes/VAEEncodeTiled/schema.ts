import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'VAEEncodeTiled',
  version: 1,
  title: 'VAE Encode (Tiled)',
  category: '_for_testing',
  description: 'Encodes images tile by tile (three overlapping tilings averaged, as ComfyUI), so big images fit in memory.',
  io: [
    socket('pixels', 'IMAGE'),
    socket('vae', 'VAE'),
    int('tile_size', { min: 64, max: 4096, step: 64, default: 512, description: 'tile side in pixels' }),
    int('overlap', { min: 0, max: 4096, step: 32, default: 64, description: 'overlap of neighbouring tiles in pixels' }),
    int('temporal_size', { min: 8, max: 4096, step: 4, default: 64, description: 'only used by video VAEs (frames per tile)' }),
    int('temporal_overlap', { min: 4, max: 4096, step: 4, default: 8, description: 'only used by video VAEs (frames of overlap)' }),
  ],
  outputs: [out1('LATENT')],
});
