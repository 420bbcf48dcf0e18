import { defineNode } from '../node';
import { alphaFix } from '../_tensor/alpha';
import { imageDims } from '../_tensor/checks';
import { compositeMasked } from '../../server/runtime/image/composite';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const [destination, source] = alphaFix(inputs.destination, inputs.source, 'destination', 'source');
  imageDims('destination', destination);
  imageDims('source', source);
  return { IMAGE: compositeMasked(destination, source, 'nhwc', { x: p.x, y: p.y, multiplier: 1, resizeSource: p.resize_source, mask: inputs.mask }) };
});
