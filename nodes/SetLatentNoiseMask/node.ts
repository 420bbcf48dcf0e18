import { defineNode } from '../node';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => {
  const m = inputs.mask;
  if (m.shape.length < 2 || m.shape.some((v) => !Number.isInteger(v) || v < 1))
    throw new Error(`mask has shape [${m.shape.join(', ')}], expected [batch, height, width]`);
  const [h, w] = m.shape.slice(-2);
  // ComfyUI: mask.reshape((-1, 1, h, w)); the sampler resizes it to the latent
  return { LATENT: { ...inputs.samples, noise_mask: { shape: [m.data.length / (h * w), 1, h, w], data: m.data } } };
});
