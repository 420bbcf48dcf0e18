import { bool, defineSchema, out, socket } from '../define';

export const schema = defineSchema({
  id: 'InpaintModelConditioning',
  version: 1,
  title: 'InpaintModelConditioning',
  category: 'conditioning/inpaint',
  description:
    'Gives an inpainting model the image with the masked area greyed out and the mask (as its extra input channels), and encodes the image as the latent to sample from.',
  io: [
    socket('positive', 'CONDITIONING'),
    socket('negative', 'CONDITIONING'),
    socket('vae', 'VAE'),
    socket('pixels', 'IMAGE'),
    socket('mask', 'MASK'),
    bool('noise_mask', { default: true, description: 'add the mask to the latent as its noise mask, so sampling only changes the masked area' }),
  ],
  outputs: [out('positive', 'CONDITIONING'), out('negative', 'CONDITIONING'), out('latent', 'LATENT')],
});
