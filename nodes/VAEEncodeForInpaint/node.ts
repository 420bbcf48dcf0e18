import { defineNode } from '../node';
import { encodeForInpaint } from '../../server/runtime/models/inpaint-encode';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => ({
  LATENT: await encodeForInpaint(ctx.models, inputs.vae, inputs.pixels, inputs.mask, params.grow_mask_by, {
    warn: (m) => ctx.warn(m),
    onTile: (done, total) => ctx.progress(done, total),
  }),
}));
