import { defineNode } from '../node';
import { inpaintModelConditioning } from '../../server/runtime/models/inpaint-conditioning';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => {
  const r = await inpaintModelConditioning(ctx.models, inputs.vae, inputs.positive, inputs.negative, inputs.pixels, inputs.mask, params.noise_mask, {
    warn: (m) => ctx.warn(m),
    onTile: (done, total) => ctx.progress(done, total),
  });
  return { positive: r.positive, negative: r.negative, latent: r.latent };
});
