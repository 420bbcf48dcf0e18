import { defineNode } from '../node';
import { cachedGligen } from '../../server/runtime/loaders/gligen';
import { schema } from './schema';

export default defineNode(schema, async ({ params, ctx }) => ({ GLIGEN: await cachedGligen(ctx.models, params.gligen_name.path, ctx.signal) }));
