import { defineNode } from '../node';
import { assertFits, imageDims } from '../_tensor/checks';
import { commonUpscale, pyRound } from '../../server/runtime/image/common-upscale';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  if (p.width === 0 && p.height === 0) return { IMAGE: inputs.image };
  const d = imageDims('image', inputs.image);
  let { width, height } = p;
  if (width === 0) width = Math.max(1, pyRound((d.w * height) / d.h));
  else if (height === 0) height = Math.max(1, pyRound((d.h * width) / d.w));
  assertFits('width', [d.n, height, width, d.c], 'the scaled image');
  return { IMAGE: commonUpscale(inputs.image, 'nhwc', width, height, p.upscale_method, p.crop) };
});
