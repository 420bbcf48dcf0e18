import { defineNode } from '../node';
import { cachedUpscaleModel } from '../../server/runtime/loaders/upscale-model';
import { schema } from './schema';

export default defineNode(schema, async ({ params, ctx }) => ({
  UPSCALE_MODEL: await cachedUpscaleModel(ctx.models, params.model_name.path),
}));
