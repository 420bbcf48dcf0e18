import { defineNode } from '../node';
import { cachedUnetFile } from '../../server/runtime/loaders/unet-file';
import { schema } from './schema';

export default defineNode(schema, async ({ params, ctx }) => {
  if (params.weight_dtype !== 'default') {
    ctx.warn(
      `weight_dtype ${params.weight_dtype}: fp8 weight storage is not implemented here; the weights keep their file precision (results as with "default")`,
    );
  }
  return { MODEL: await cachedUnetFile(ctx.models, params.unet_name.path, ctx.signal) };
});
