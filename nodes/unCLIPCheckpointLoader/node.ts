import { defineNode } from '../node';
import { assertGenerationSupported, cachedCheckpoint, checkpointHandles, unclipVisionHandle } from '../../server/runtime/loaders/checkpoint';
import { schema } from './schema';

export default defineNode(schema, async ({ params, ctx }) => {
  const ck = await cachedCheckpoint(ctx.models, params.ckpt_name.path, 'auto', ctx.signal);
  assertGenerationSupported(ck);
  const { model, clip, vae } = checkpointHandles(ck, ctx.paths.models);
  return { MODEL: model, CLIP: clip, VAE: vae, CLIP_VISION: unclipVisionHandle(ck) };
});
