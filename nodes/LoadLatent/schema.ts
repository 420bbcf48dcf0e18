import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'LoadLatent',
  version: 1,
  title: 'Load Latent',
  category: 'latent',
  description: 'Loads a ComfyUI .latent file from input/. Files without the latent_format_version_0 marker are rescaled as ComfyUI does.',
  inputs: [],
  outputs: [{ name: 'latent', type: 'LATENT' }],
  params: [{ name: 'latent', kind: 'image', default: '', accept: ['.latent'] }],
};
