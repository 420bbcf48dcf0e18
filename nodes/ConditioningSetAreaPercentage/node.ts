import { defineNode } from '../node';
import { setValues } from '../../server/runtime/conditioning/ops';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs, ctx }) => ({
  CONDITIONING: setValues(inputs.conditioning, {
    area: { unit: 'fraction', height: p.height, width: p.width, y: p.y, x: p.x },
    strength: p.strength,
    setAreaToBounds: false,
    origin: `ConditioningSetAreaPercentage #${ctx.nodeId}`,
  }),
}));
