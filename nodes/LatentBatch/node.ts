import { defineNode } from '../node';
import { assertFits, latentDims, NodeInputError } from '../_tensor/checks';
import { concatBatch } from '../../server/runtime/image/batch';
import { reshapeLatentTo } from '../../server/runtime/image/reshape-latent';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => {
  const a = latentDims('samples1', inputs.samples1);
  const b = latentDims('samples2', inputs.samples2);
  if (b.c !== a.c) throw new NodeInputError('samples2', `samples2 has ${b.c} channels, samples1 ${a.c}: latents of different model families?`);
  assertFits('samples2', [a.n + b.n, a.c, a.h, a.w], 'the joined batch');
  const s1 = inputs.samples1.samples;
  const s2 = reshapeLatentTo(s1.shape, inputs.samples2.samples, false);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  return {
    LATENT: {
      ...inputs.samples1,
      samples: concatBatch([s1, s2]),
      batch_index: [...(inputs.samples1.batch_index ?? range(a.n)), ...(inputs.samples2.batch_index ?? range(b.n))],
    },
  };
});
