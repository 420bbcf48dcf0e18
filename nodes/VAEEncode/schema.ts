import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'VAEEncode',
  version: 1,
  title: 'VAE Encode',
  category: 'latent',
  description: 'Encodes an image into VAE latent space (for img2img).',
  inputs: [
    { name: 'pixels', type: 'IMAGE' },
    { name: 'vae', type: 'VAE' },
  ],
  outputs: [{ name: 'latent', type: 'LATENT' }],
  params: [],
};
