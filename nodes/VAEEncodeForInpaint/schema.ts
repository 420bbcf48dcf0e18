import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'VAEEncodeForInpaint',
  version: 1,
  title: 'VAE Encode (for Inpainting)',
  category: 'latent/inpaint',
  description: 'Encodes an image with the masked area greyed out and sets the (grown) mask as the latent noise mask, for inpainting models.',
  io: [
    socket('pixels', 'IMAGE'),
    socket('vae', 'VAE'),
    socket('mask', 'MASK'),
    int('grow_mask_by', { min: 0, max: 64, step: 1, default: 6, description: 'grow the mask by this many pixels so the seam blends' }),
  ],
  outputs: [out1('LATENT')],
});
