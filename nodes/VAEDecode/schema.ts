import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'VAEDecode',
  version: 1,
  title: 'VAE Decode',
  category: 'latent',
  description: 'Decodes latents into images with the VAE.',
  io: [socket('samples', 'LATENT'), socket('vae', 'VAE')],
  outputs: [out1('IMAGE')],
});
