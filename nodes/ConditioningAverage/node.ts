import { defineNode } from '../node';
import { average } from '../../server/runtime/conditioning/ops';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => ({
  CONDITIONING: average(inputs.conditioning_to, inputs.conditioning_from, params.conditioning_to_strength, (m) => ctx.warn(m)),
}));
