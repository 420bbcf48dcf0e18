import { defineNode } from '../node';
import { imageDims, NodeInputError } from '../_tensor/checks';
import { filterReflect, sharpenKernel } from '../../server/runtime/image/filters';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const d = imageDims('image', inputs.image);
  const r = p.sharpen_radius;
  if (r >= d.h || r >= d.w)
    throw new NodeInputError('sharpen_radius', `sharpen_radius: ${r} needs an image larger than ${r}x${r} pixels, got ${d.w}x${d.h}.`);
  const size = 2 * r + 1;
  const out = filterReflect(inputs.image, sharpenKernel(size, p.sigma, p.alpha), size);
  for (let i = 0; i < out.data.length; i++) out.data[i] = out.data[i] < 0 ? 0 : Math.min(out.data[i], 1);
  return { IMAGE: out };
});
