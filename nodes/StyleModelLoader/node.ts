import { defineNode } from '../node';
import { cachedStyleModel } from '../../server/runtime/loaders/style-model';
import { schema } from './schema';

export default defineNode(schema, async ({ params, ctx }) => ({
  STYLE_MODEL: await cachedStyleModel(ctx.models, params.style_model_name.path, ctx.signal),
}));
