import type { NodeRunner } from '../runner';
import { commonSampleRequest } from '../_sampling/common';
import { numberParam } from '../../server/runtime/pipeline/node-params';
import { sampleLatent } from '../../server/runtime/pipeline/sample';

const N = 'KSampler';

export const run: NodeRunner = async (ctx) => {
  const latent = await sampleLatent(ctx.models, { ...commonSampleRequest(N, ctx, 'seed'), denoise: numberParam(N, ctx, 'denoise') });
  return { latent };
};
