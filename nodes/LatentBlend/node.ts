import { defineNode } from '../node';
import { latentDims, NodeInputError, withSamples } from '../_tensor/checks';
import { commonUpscale } from '../../server/runtime/image/common-upscale';
import { schema } from './schema';

const f = Math.fround;

export default defineNode(schema, async ({ params: p, inputs }) => {
  const a = latentDims('samples1', inputs.samples1);
  const b = latentDims('samples2', inputs.samples2);
  let s2 = inputs.samples2.samples;
  if (b.c !== a.c) throw new NodeInputError('samples2', `samples2 has ${b.c} channels, samples1 ${a.c}: latents of different model families?`);
  if (b.h !== a.h || b.w !== a.w) s2 = commonUpscale(s2, 'nchw', a.w, a.h, 'bicubic', 'center');
  if (b.n !== a.n && b.n !== 1) throw new NodeInputError('samples2', `samples2 holds ${b.n} latents, samples1 ${a.n}: give one, or as many.`);
  const s1 = inputs.samples1.samples.data;
  const k1 = f(p.blend_factor);
  const k2 = f(1 - p.blend_factor);
  const item = a.c * a.h * a.w;
  const out = new Float32Array(s1.length);
  for (let i = 0; i < out.length; i++) out[i] = f(f(s1[i] * k1) + f(s2.data[b.n === 1 ? i % item : i] * k2));
  return { LATENT: withSamples(inputs.samples1, { shape: [...inputs.samples1.samples.shape], data: out }) };
});
