/** What KSampler and KSamplerAdvanced read alike: the four linked inputs, steps, cfg, sampler and scheduler. */
import type { RunContext } from '../runner';
import { isLatent } from '../values';
import { expectInput, isConditioning, isModelHandle } from '../../server/runtime/pipeline/handles';
import { numberParam, samplerParams, seedParam } from '../../server/runtime/pipeline/node-params';
import type { SampleRequest } from '../../server/runtime/pipeline/sample';

export function commonSampleRequest(node: string, ctx: RunContext, seedName: string): SampleRequest {
  return {
    model: expectInput(node, 'model', ctx.inputs.model, isModelHandle, 'a MODEL'),
    positive: expectInput(node, 'positive', ctx.inputs.positive, isConditioning, 'CONDITIONING'),
    negative: expectInput(node, 'negative', ctx.inputs.negative, isConditioning, 'CONDITIONING'),
    latent: expectInput(node, 'latent_image', ctx.inputs.latent_image, isLatent, 'a LATENT'),
    seed: seedParam(node, ctx, seedName),
    steps: numberParam(node, ctx, 'steps'),
    cfg: numberParam(node, ctx, 'cfg'),
    ...samplerParams(node, ctx),
    signal: ctx.signal,
    progress: ctx.progress,
  };
}
