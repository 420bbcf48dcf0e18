import { defineNode } from '../node';
import { cachedVae } from '../../server/runtime/loaders/vae';
import { schema } from './schema';

export default defineNode(schema, async ({ params, ctx }) => ({ VAE: await cachedVae(ctx.models, params.vae_name.path, ctx.signal) }));
