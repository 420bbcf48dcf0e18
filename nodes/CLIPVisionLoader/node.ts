import { defineNode } from '../node';
import { cachedClipVision } from '../../server/runtime/loaders/clip-vision';
import { schema } from './schema';

export default defineNode(schema, async ({ params, ctx }) => ({
  CLIP_VISION: await cachedClipVision(ctx.models, params.clip_name.path, ctx.signal),
}));
