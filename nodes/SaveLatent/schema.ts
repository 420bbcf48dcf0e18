import { defineSchema, socket, text } from '../define';

export const schema = defineSchema({
  id: 'SaveLatent',
  version: 1,
  title: 'Save Latent',
  category: '_for_testing',
  description: 'Writes latents as a .latent file (ComfyUI format) under output/.',
  io: [socket('samples', 'LATENT'), text('filename_prefix', { default: 'latents/LatentLoom' })],
  outputs: [],
  output: true,
});
