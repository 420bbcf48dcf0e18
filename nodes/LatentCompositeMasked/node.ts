import { defineNode } from '../node';
import { latentDims, NodeInputError, withSamples } from '../_tensor/checks';
import { compositeMasked } from '../../server/runtime/image/composite';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const d = latentDims('destination', inputs.destination);
  const s = latentDims('source', inputs.source);
  if (s.c !== d.c) throw new NodeInputError('source', `source has ${s.c} channels, destination ${d.c}: latents of different model families?`);
  const samples = compositeMasked(inputs.destination.samples, inputs.source.samples, 'nchw', {
    x: p.x,
    y: p.y,
    multiplier: 8,
    resizeSource: p.resize_source,
    mask: inputs.mask,
  });
  return { LATENT: withSamples(inputs.destination, samples) };
});
