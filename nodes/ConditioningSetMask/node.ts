import { defineNode } from '../node';
import { setValues } from '../../server/runtime/conditioning/ops';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => {
  const m = inputs.mask;
  if (m.shape.length !== 2 && m.shape.length !== 3)
    throw new Error(`mask has shape [${m.shape.join(', ')}], expected [height, width] or [batch, height, width]`);
  // ComfyUI unsqueezes a 2-D mask to a batch of one
  const mask = m.shape.length === 2 ? { shape: [1, ...m.shape], data: m.data } : m;
  return {
    CONDITIONING: setValues(inputs.conditioning, {
      mask,
      setAreaToBounds: params.set_cond_area !== 'default',
      maskStrength: params.strength,
      origin: `ConditioningSetMask #${ctx.nodeId}`,
    }),
  };
});
