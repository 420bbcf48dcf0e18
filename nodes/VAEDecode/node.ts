import { defineNode } from '../node';
import { decodeLatent } from '../../server/runtime/models/vae-images';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs, ctx }) => ({
  IMAGE: await decodeLatent(ctx.models, inputs.vae, inputs.samples, { warn: (m) => ctx.warn(m), onTile: (done, total) => ctx.progress(done, total) }),
}));
