import { defineSchema, inputFile, out1 } from '../define';

export const schema = defineSchema({
  id: 'LoadLatent',
  version: 1,
  title: 'Load Latent',
  category: '_for_testing',
  description: 'Loads a .latent file (ComfyUI SaveLatent format) from the input/ folder.',
  io: [inputFile('latent', { accept: ['.latent'] })],
  outputs: [out1('LATENT')],
});
