import { defineNode } from '../node';
import { assertFits, imageDims, NodeInputError } from '../_tensor/checks';
import { commonUpscale, pyRound } from '../../server/runtime/image/common-upscale';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const d = imageDims('image', inputs.image);
  const scale = Math.sqrt((p.megapixels * 1024 * 1024) / (d.w * d.h));
  const steps = p.resolution_steps;
  const w = pyRound((d.w * scale) / steps) * steps;
  const h = pyRound((d.h * scale) / steps) * steps;
  if (w < 1 || h < 1)
    throw new NodeInputError('resolution_steps', `resolution_steps: ${steps} rounds the ${d.w}x${d.h} image to ${w}x${h}, nothing is left.`);
  assertFits('megapixels', [d.n, h, w, d.c], 'the scaled image');
  return { IMAGE: commonUpscale(inputs.image, 'nhwc', w, h, p.upscale_method, 'disabled') };
});
