import { defineNode } from '../node';
import { assertFits, imageDims, NodeInputError } from '../_tensor/checks';
import { commonUpscale, pyRound } from '../../server/runtime/image/common-upscale';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const d = imageDims('image', inputs.image);
  const w = pyRound(d.w * p.scale_by);
  const h = pyRound(d.h * p.scale_by);
  if (w < 1 || h < 1) throw new NodeInputError('scale_by', `scale_by: ${p.scale_by} shrinks the ${d.w}x${d.h} image to ${w}x${h}, nothing is left.`);
  assertFits('scale_by', [d.n, h, w, d.c], 'the scaled image');
  return { IMAGE: commonUpscale(inputs.image, 'nhwc', w, h, p.upscale_method, 'disabled') };
});
