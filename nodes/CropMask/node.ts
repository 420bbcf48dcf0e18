import { defineNode } from '../node';
import { mask3d, NodeInputError } from '../_tensor/checks';
import { cropHW } from '../../server/runtime/image/common-upscale';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const m = mask3d(inputs.mask);
  // ComfyUI would return an empty mask here, which breaks whatever takes it next
  if (p.x >= m.w) throw new NodeInputError('x', `x: ${p.x} is outside the ${m.w}-pixel-wide mask.`);
  if (p.y >= m.h) throw new NodeInputError('y', `y: ${p.y} is outside the ${m.h}-pixel-high mask.`);
  const planes = { shape: [m.b, 1, m.h, m.w], data: m.data };
  const out = cropHW(planes, 'nchw', p.y, p.x, Math.min(p.height, m.h - p.y), Math.min(p.width, m.w - p.x));
  return { MASK: { shape: [m.b, out.shape[2], out.shape[3]], data: out.data } };
});
