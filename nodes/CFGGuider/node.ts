import { defineNode } from '../node';
import { warmUNet } from '../../server/runtime/models/cached';
import { cfgGuiderValue } from '../../server/runtime/sampling/guider-value';
import { schema } from './schema';

export default defineNode(
  schema,
  async ({ params, inputs }) => ({
    GUIDER: cfgGuiderValue(inputs.model, inputs.positive, inputs.negative, params.cfg),
  }),
  {
    // the UNet session builds while the text encoder runs (the sampler downstream joins the same load)
    warm: (inputs, ctx) => warmUNet(ctx.models, inputs.model),
  },
);
