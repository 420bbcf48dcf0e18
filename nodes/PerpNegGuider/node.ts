import { defineNode } from '../node';
import { warmUNet } from '../../server/runtime/models/cached';
import { perpNegGuiderValue } from '../../server/runtime/sampling/guider-value';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => ({ GUIDER: perpNegGuiderValue(inputs.model, inputs, p.cfg, p.neg_scale) }), {
  // the UNet session builds while the text encoder runs (the sampler downstream joins the same load)
  warm: (inputs, ctx) => warmUNet(ctx.models, inputs.model),
});
