import { defineNode } from '../node';
import { decodeLatentTiled } from '../../server/runtime/models/vae-images';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => {
  // ComfyUI: an overlap over a quarter of the tile is cut to a quarter; both are in latent units (÷ 8) from here
  const overlap = params.tile_size < params.overlap * 4 ? Math.floor(params.tile_size / 4) : params.overlap;
  const tile = Math.floor(params.tile_size / 8);
  const tiles = { tileX: tile, tileY: tile, overlap: Math.floor(overlap / 8) };
  return { IMAGE: await decodeLatentTiled(ctx.models, inputs.vae, inputs.samples, tiles, (done, total) => ctx.progress(done, total)) };
});
