import type { NodeRunner } from '../runner';
import { isLatent } from '../values';
import { expectInput, isConditioning, isModelHandle } from '../../server/runtime/pipeline/handles';
import { boolParam, numberParam, samplerParams, seedParam } from '../../server/runtime/pipeline/node-params';
import { sampleLatent } from '../../server/runtime/pipeline/sample';

const N = 'KSamplerAdvanced';

export const run: NodeRunner = async (ctx) => {
  const latent = await sampleLatent(ctx.models, {
    model: expectInput(N, 'model', ctx.inputs.model, isModelHandle, 'a MODEL'),
    positive: expectInput(N, 'positive', ctx.inputs.positive, isConditioning, 'CONDITIONING'),
    negative: expectInput(N, 'negative', ctx.inputs.negative, isConditioning, 'CONDITIONING'),
    latent: expectInput(N, 'latent_image', ctx.inputs.latent_image, isLatent, 'a LATENT'),
    seed: seedParam(N, ctx, 'noise_seed'),
    steps: numberParam(N, ctx, 'steps'),
    cfg: numberParam(N, ctx, 'cfg'),
    ...samplerParams(N, ctx),
    addNoise: boolParam(N, ctx, 'add_noise'),
    startStep: numberParam(N, ctx, 'start_at_step'),
    endStep: numberParam(N, ctx, 'end_at_step'),
    returnWithLeftoverNoise: boolParam(N, ctx, 'return_with_leftover_noise'),
    signal: ctx.signal,
    progress: ctx.progress,
  });
  return { latent };
};
