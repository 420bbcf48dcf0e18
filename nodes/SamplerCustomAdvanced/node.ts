import { defineNode } from '../node';
import { sampleGuided } from '../../server/runtime/sampling/common-ksampler';
import { noiseSeed } from '../../server/runtime/sampling/noise';
import { checkSigmas } from '../_tensor/sigmas';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs, ctx }) => {
  checkSigmas(inputs.sigmas.sigmas);
  const { output, denoised } = await sampleGuided(ctx.models, {
    guider: inputs.guider,
    sampler: inputs.sampler,
    sigmas: inputs.sigmas.sigmas,
    noise: inputs.noise,
    seed: noiseSeed(inputs.noise),
    latent: inputs.latent_image,
    signal: ctx.signal,
    progress: ctx.progress,
  });
  return { output, denoised_output: denoised };
});
