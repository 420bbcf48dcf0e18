import { defineNode } from '../node';
import { latentDims, withSamples } from '../_tensor/checks';
import { schema } from './schema';

/** torch.rot90(samples, k, dims=[3, 2]): k quarter turns from the W axis towards H (clockwise on screen). */
export default defineNode(schema, async ({ params: p, inputs }) => {
  const { n, c, h, w } = latentDims('samples', inputs.samples);
  const k = ['none', '90 degrees', '180 degrees', '270 degrees'].indexOf(p.rotation);
  if (k === 0) return { LATENT: inputs.samples };
  const src = inputs.samples.samples.data;
  const out = new Float32Array(src.length);
  const [oh, ow] = k === 2 ? [h, w] : [w, h];
  for (let plane = 0; plane < n * c; plane++) {
    const b = plane * h * w;
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const from = k === 1 ? (h - 1 - j) * w + i : k === 2 ? (h - 1 - i) * w + (w - 1 - j) : j * w + (w - 1 - i);
        out[b + i * ow + j] = src[b + from];
      }
    }
  }
  return { LATENT: withSamples(inputs.samples, { shape: [n, c, oh, ow], data: out }) };
});
