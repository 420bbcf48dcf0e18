import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'SaveCheckpoint',
  version: 1,
  title: 'Save Checkpoint',
  category: 'model_merging',
  description: 'Writes the (merged or patched) model, text encoder and VAE as one .safetensors with the recipe in its metadata.',
  inputs: [
    { name: 'model', type: 'MODEL' },
    { name: 'clip', type: 'CLIP' },
    { name: 'vae', type: 'VAE' },
  ],
  outputs: [],
  params: [{ name: 'filename_prefix', kind: 'text', default: 'checkpoints/LatentLoom' }],
  output: true,
};
