import { defineNode } from '../node';
import { warmUNet } from '../../server/runtime/models/cached';
import { sampleGuided } from '../../server/runtime/sampling/common-ksampler';
import { cfgGuiderValue } from '../../server/runtime/sampling/guider-value';
import { checkSigmas } from '../_tensor/sigmas';
import { schema } from './schema';

export default defineNode(
  schema,
  async ({ params: p, inputs, ctx }) => {
    checkSigmas(inputs.sigmas.sigmas);
    const { output, denoised } = await sampleGuided(ctx.models, {
      guider: cfgGuiderValue(inputs.model, inputs.positive, inputs.negative, p.cfg),
      sampler: inputs.sampler,
      sigmas: inputs.sigmas.sigmas,
      // ComfyUI passes noise_seed to the sampler even when add_noise is off
      noise: p.add_noise ? { kind: 'random', seed: p.noise_seed } : { kind: 'disabled' },
      seed: p.noise_seed,
      latent: inputs.latent_image,
      signal: ctx.signal,
      progress: ctx.progress,
    });
    return { output, denoised_output: denoised };
  },
  {
    // the UNet session builds while the text encoder runs (the sampler downstream joins the same load)
    warm: (inputs, ctx) => warmUNet(ctx.models, inputs.model),
  },
);
