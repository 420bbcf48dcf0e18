import { defineNode } from '../node';
import { warmUNet } from '../../server/runtime/models/cached';
import { sampleLatent } from '../../server/runtime/sampling/common-ksampler';
import { schema } from './schema';

export default defineNode(
  schema,
  async ({ params: p, inputs, ctx }) => ({
    LATENT: await sampleLatent(ctx.models, {
      model: inputs.model,
      positive: inputs.positive,
      negative: inputs.negative,
      latent: inputs.latent_image,
      seed: p.seed,
      steps: p.steps,
      cfg: p.cfg,
      sampler: p.sampler_name,
      scheduler: p.scheduler,
      denoise: p.denoise,
      signal: ctx.signal,
      progress: ctx.progress,
    }),
  }),
  {
    // the UNet session builds while the text encoder runs
    warm: (inputs, ctx) => warmUNet(ctx.models, inputs.model),
  },
);
