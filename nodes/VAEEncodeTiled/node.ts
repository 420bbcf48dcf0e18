import { defineNode } from '../node';
import { encodeImageTiled } from '../../server/runtime/models/vae-images';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => {
  // one of ComfyUI's three tilings uses half-wide tiles: the overlap must be under half the tile or tiles never advance
  if (params.overlap * 2 >= params.tile_size) {
    throw new Error(`overlap (${params.overlap}) must be less than half of tile_size (${params.tile_size}): the half-size tiles would not advance`);
  }
  const tiles = { tileX: params.tile_size, tileY: params.tile_size, overlap: params.overlap };
  return { LATENT: await encodeImageTiled(ctx.models, inputs.vae, inputs.pixels, tiles, (done, total) => ctx.progress(done, total)) };
});
