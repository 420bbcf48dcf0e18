import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'VAEDecode',
  version: 1,
  title: 'VAE Decode',
  category: 'latent',
  description: 'Decodes latents into images.',
  inputs: [
    { name: 'samples', type: 'LATENT' },
    { name: 'vae', type: 'VAE' },
  ],
  outputs: [{ name: 'image', type: 'IMAGE' }],
  params: [],
};
