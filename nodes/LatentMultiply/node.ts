import { defineNode } from '../node';
import { withSamples } from '../_tensor/checks';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const { shape, data } = inputs.samples.samples;
  const k = Math.fround(p.multiplier);
  return { LATENT: withSamples(inputs.samples, { shape: [...shape], data: data.map((v) => v * k) }) };
});
