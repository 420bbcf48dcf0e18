import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'EmptyLatent',
  version: 1,
  title: 'Empty Latent',
  category: 'latent',
  description: 'A batch of zero latents for an image of the given size (multiples of 8 pixels).',
  inputs: [],
  outputs: [{ name: 'latent', type: 'LATENT' }],
  params: [
    { name: 'width', kind: 'int', min: 16, max: 16384, step: 8, multipleOf: 8, default: 512 },
    { name: 'height', kind: 'int', min: 16, max: 16384, step: 8, multipleOf: 8, default: 512 },
    { name: 'batch_size', kind: 'int', min: 1, max: 4096, step: 1, default: 1 },
  ],
};
