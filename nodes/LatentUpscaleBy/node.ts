import { defineNode } from '../node';
import { assertFits, latentDims, NodeInputError, withSamples } from '../_tensor/checks';
import { commonUpscale, pyRound } from '../../server/runtime/image/common-upscale';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => {
  const d = latentDims('samples', inputs.samples);
  const w = pyRound(d.w * p.scale_by);
  const h = pyRound(d.h * p.scale_by);
  if (w < 1 || h < 1) throw new NodeInputError('scale_by', `scale_by: ${p.scale_by} shrinks the ${d.w}x${d.h} latent to ${w}x${h}, nothing is left.`);
  assertFits('scale_by', [d.n, d.c, h, w], 'the upscaled latent');
  return { LATENT: withSamples(inputs.samples, commonUpscale(inputs.samples.samples, 'nchw', w, h, p.upscale_method, 'disabled')) };
});
