import { defineNode } from '../node';
import { concat } from '../../server/runtime/conditioning/ops';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs, ctx }) => ({
  CONDITIONING: concat(inputs.conditioning_to, inputs.conditioning_from, (m) => ctx.warn(m)),
}));
