import { defineNode } from '../node';
import { latentDims, NodeInputError, withSamples } from '../_tensor/checks';
import { reshapeLatentTo } from '../../server/runtime/image/reshape-latent';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => {
  const a = latentDims('samples1', inputs.samples1);
  const b = latentDims('samples2', inputs.samples2);
  if (b.c !== a.c) throw new NodeInputError('samples2', `samples2 has ${b.c} channels, samples1 ${a.c}: latents of different model families?`);
  const s1 = inputs.samples1.samples;
  const s2 = reshapeLatentTo(s1.shape, inputs.samples2.samples).data;
  const out = new Float32Array(s1.data.length);
  for (let i = 0; i < out.length; i++) out[i] = s1.data[i] + s2[i];
  return { LATENT: withSamples(inputs.samples1, { shape: [...s1.shape], data: out }) };
});
