import { defineNode } from '../node';
import { imageDims } from '../_tensor/checks';
import { cropHW } from '../../server/runtime/image/common-upscale';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const d = imageDims('image', inputs.image);
  const x = Math.min(p.x, d.w - 1);
  const y = Math.min(p.y, d.h - 1);
  return { IMAGE: cropHW(inputs.image, 'nhwc', y, x, Math.min(p.height, d.h - y), Math.min(p.width, d.w - x)) };
});
