import { defineNode } from '../node';
import { encodeImage } from '../../server/runtime/models/vae-images';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs, ctx }) => ({
  LATENT: await encodeImage(ctx.models, inputs.vae, inputs.pixels, { warn: (m) => ctx.warn(m), onTile: (done, total) => ctx.progress(done, total) }),
}));
