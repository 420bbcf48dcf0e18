import type { NodeRunner } from '../runner';
import { commonSampleRequest } from '../_sampling/common';
import { boolParam, numberParam } from '../../server/runtime/pipeline/node-params';
import { sampleLatent } from '../../server/runtime/pipeline/sample';

const N = 'KSamplerAdvanced';

export const run: NodeRunner = async (ctx) => {
  const latent = await sampleLatent(ctx.models, {
    ...commonSampleRequest(N, ctx, 'noise_seed'),
    addNoise: boolParam(N, ctx, 'add_noise'),
    startStep: numberParam(N, ctx, 'start_at_step'),
    endStep: numberParam(N, ctx, 'end_at_step'),
    returnWithLeftoverNoise: boolParam(N, ctx, 'return_with_leftover_noise'),
  });
  return { latent };
};
