import { defineNode } from '../node';
import { cachedClipFiles } from '../../server/runtime/loaders/clip-file';
import { schema } from './schema';

export default defineNode(schema, async ({ params, ctx }) => ({
  CLIP: await cachedClipFiles(ctx.models, [params.clip_name1.path, params.clip_name2.path], params.type, ctx.paths.models, ctx.signal),
}));
