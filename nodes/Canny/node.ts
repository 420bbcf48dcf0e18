import { defineNode } from '../node';
import { imageDims, NodeInputError } from '../_tensor/checks';
import { canny } from '../../server/runtime/image/canny';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const d = imageDims('image', inputs.image);
  if (p.low_threshold > p.high_threshold) {
    throw new NodeInputError('low_threshold', `low_threshold (${p.low_threshold}) must not exceed high_threshold (${p.high_threshold}).`);
  }
  if (d.c !== 3 && d.c !== 1) throw new NodeInputError('image', `image: Canny takes RGB or grey images, this one has ${d.c} channels.`);
  if (d.h < 3 || d.w < 3) throw new NodeInputError('image', `image: Canny needs at least 3x3 pixels, got ${d.w}x${d.h}.`);
  return { IMAGE: canny(inputs.image, p.low_threshold, p.high_threshold) };
});
