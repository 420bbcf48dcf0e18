import { defineNode } from '../node';
import { assertFits, imageDims, NodeInputError } from '../_tensor/checks';
import { upscaleImage } from '../../server/runtime/loaders/upscale-model';
import { pyRound } from '../../server/runtime/models/upscale/tiled';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs, ctx }) => {
  const m = inputs.upscale_model;
  const d = imageDims('image', inputs.image);
  if (d.c !== m.spec.inChannels) {
    throw new NodeInputError('image', `image: ${m.name} takes ${m.spec.inChannels}-channel images, got ${d.c} channels.`);
  }
  // refused before any tile runs: the output is the tensor that would not fit
  assertFits('image', [d.n, pyRound(d.h * m.spec.scale), pyRound(d.w * m.spec.scale), m.spec.outChannels], 'the upscaled image');
  return { IMAGE: await upscaleImage(ctx.models, m, inputs.image, { signal: ctx.signal, onProgress: (i, n) => ctx.progress(i, n) }) };
});
