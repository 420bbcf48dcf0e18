import { defineNode } from '../node';
import { imageDims, NodeInputError } from '../_tensor/checks';
import { filterReflect, gaussianKernel } from '../../server/runtime/image/filters';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const d = imageDims('image', inputs.image);
  const r = p.blur_radius;
  // torch's reflect padding needs the image larger than the radius (ComfyUI fails there too)
  if (r >= d.h || r >= d.w)
    throw new NodeInputError('blur_radius', `blur_radius: ${r} needs an image larger than ${r}x${r} pixels, got ${d.w}x${d.h}.`);
  const size = 2 * r + 1;
  return { IMAGE: filterReflect(inputs.image, gaussianKernel(size, p.sigma), size) };
});
