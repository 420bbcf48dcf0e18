import { defineNode } from '../node';
import { imageDims } from '../_tensor/checks';
import { sliceBatch } from '../../server/runtime/image/batch';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs, ctx }) => {
  const n = imageDims('image', inputs.image).n;
  // ComfyUI clamps both to the batch; say so when that changes what was asked
  const start = Math.min(n - 1, p.batch_index);
  const length = Math.min(n - start, p.length);
  if (start !== p.batch_index || length !== p.length) {
    ctx.warn(`the batch holds ${n} images: took ${length} from index ${start} (asked ${p.length} from ${p.batch_index}), as ComfyUI does`);
  }
  return { IMAGE: sliceBatch(inputs.image, start, length) };
});
