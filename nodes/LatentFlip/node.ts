import { defineNode } from '../node';
import { latentDims, withSamples } from '../_tensor/checks';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const { n, c, h, w } = latentDims('samples', inputs.samples);
  const src = inputs.samples.samples.data;
  const out = new Float32Array(src.length);
  const vertical = p.flip_method.startsWith('x');
  for (let plane = 0; plane < n * c; plane++) {
    const b = plane * h * w;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) out[b + y * w + x] = vertical ? src[b + (h - 1 - y) * w + x] : src[b + y * w + (w - 1 - x)];
    }
  }
  return { LATENT: withSamples(inputs.samples, { shape: [n, c, h, w], data: out }) };
});
