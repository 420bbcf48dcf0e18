import type { NodeRunner } from '../runner';
import { isLatent } from '../values';
import { expectInput, isConditioning, isModelHandle } from '../../server/runtime/pipeline/handles';
import { numberParam, samplerParams, seedParam } from '../../server/runtime/pipeline/node-params';
import { sampleLatent } from '../../server/runtime/pipeline/sample';

const N = 'KSampler';

export const run: NodeRunner = async (ctx) => {
  const latent = await sampleLatent(ctx.models, {
    model: expectInput(N, 'model', ctx.inputs.model, isModelHandle, 'a MODEL'),
    positive: expectInput(N, 'positive', ctx.inputs.positive, isConditioning, 'CONDITIONING'),
    negative: expectInput(N, 'negative', ctx.inputs.negative, isConditioning, 'CONDITIONING'),
    latent: expectInput(N, 'latent_image', ctx.inputs.latent_image, isLatent, 'a LATENT'),
    seed: seedParam(N, ctx, 'seed'),
    steps: numberParam(N, ctx, 'steps'),
    cfg: numberParam(N, ctx, 'cfg'),
    ...samplerParams(N, ctx),
    denoise: numberParam(N, ctx, 'denoise'),
    signal: ctx.signal,
    progress: ctx.progress,
  });
  return { latent };
};
