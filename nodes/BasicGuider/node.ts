import { defineNode } from '../node';
import { warmUNet } from '../../server/runtime/models/cached';
import { basicGuiderValue } from '../../server/runtime/sampling/guider-value';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => ({ GUIDER: basicGuiderValue(inputs.model, inputs.conditioning) }), {
  // the UNet session builds while the text encoder runs (the sampler downstream joins the same load)
  warm: (inputs, ctx) => warmUNet(ctx.models, inputs.model),
});
