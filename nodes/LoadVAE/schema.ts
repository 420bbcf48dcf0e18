import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'LoadVAE',
  version: 1,
  title: 'Load VAE',
  category: 'loaders',
  description: 'Loads a standalone VAE from models/vae.',
  inputs: [],
  outputs: [{ name: 'vae', type: 'VAE' }],
  params: [{ name: 'file', kind: 'model', folder: 'vae', default: '' }],
};
