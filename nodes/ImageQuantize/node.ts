import { defineNode } from '../node';
import { imageDims, NodeInputError } from '../_tensor/checks';
import { quantizeImage } from '../../server/runtime/image/quantize';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const d = imageDims('image', inputs.image);
  if (d.c !== 3) throw new NodeInputError('image', `image: ImageQuantize takes RGB images, this one has ${d.c} channels.`);
  return { IMAGE: quantizeImage(inputs.image, p.colors, p.dither) };
});
