import { defineNode } from '../node';
import { warmUNet } from '../../server/runtime/models/cached';
import { dualCfgGuiderValue } from '../../server/runtime/sampling/guider-value';
import { schema } from './schema';

export default defineNode(
  schema,
  async ({ params: p, inputs }) => ({
    GUIDER: dualCfgGuiderValue(inputs.model, inputs, p.cfg_conds, p.cfg_cond2_negative, p.style === 'nested'),
  }),
  {
    // the UNet session builds while the text encoder runs (the sampler downstream joins the same load)
    warm: (inputs, ctx) => warmUNet(ctx.models, inputs.model),
  },
);
