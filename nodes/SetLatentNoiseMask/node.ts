import { defineNode } from '../node';
import { schema } from './schema';

// ComfyUI keeps the mask at its own size, as [-1, 1, h, w]; the sampler resizes it to the latent
export default defineNode(schema, async ({ inputs }) => {
  const { mask } = inputs;
  const [h, w] = mask.shape.slice(-2);
  return { LATENT: { ...inputs.samples, noise_mask: { shape: [mask.data.length / (h * w), 1, h, w], data: mask.data } } };
});
