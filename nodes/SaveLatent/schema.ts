import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'SaveLatent',
  version: 1,
  title: 'Save Latent',
  category: 'latent',
  description: 'Saves latents as a ComfyUI-compatible .latent (safetensors, key latent_tensor) in output/.',
  inputs: [{ name: 'samples', type: 'LATENT' }],
  outputs: [],
  params: [{ name: 'filename_prefix', kind: 'text', default: 'latents/LatentLoom' }],
  output: true,
};
