import { defineNode } from '../node';
import { assertFits, imageDims } from '../_tensor/checks';
import { repeatBatch } from '../../server/runtime/image/batch';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const d = imageDims('image', inputs.image);
  assertFits('amount', [d.n * p.amount, d.h, d.w, d.c], 'the repeated batch');
  return { IMAGE: repeatBatch(inputs.image, p.amount) };
});
