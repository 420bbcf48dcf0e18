import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'VAEEncode',
  version: 1,
  title: 'VAE Encode',
  category: 'latent',
  description: 'Encodes images into latents with the VAE (the image is cropped to a multiple of 8 pixels, centred).',
  io: [socket('pixels', 'IMAGE'), socket('vae', 'VAE')],
  outputs: [out1('LATENT')],
});
