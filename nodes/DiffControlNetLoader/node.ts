import { defineNode } from '../node';
import { loadControlNet } from '../../server/runtime/controlnet/load';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => ({
  CONTROL_NET: await loadControlNet(ctx.models, params.control_net_name.path, { model: inputs.model, signal: ctx.signal, warn: (m) => ctx.warn(m) }),
}));
