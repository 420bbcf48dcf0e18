import { defineNode } from '../node';
import { setValues } from '../../server/runtime/conditioning/ops';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => {
  // ComfyUI accepts start > end and the entry then never applies; refusing says why the prompt would have no effect
  if (params.start > params.end) throw new Error(`start (${params.start}) is after end (${params.end}): the conditioning would never apply`);
  return {
    CONDITIONING: setValues(inputs.conditioning, {
      startPercent: params.start,
      endPercent: params.end,
      origin: `ConditioningSetTimestepRange #${ctx.nodeId}`,
    }),
  };
});
