import { defineNode } from '../node';
import { setValues } from '../../server/runtime/conditioning/ops';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs, ctx }) => ({
  CONDITIONING: setValues(inputs.conditioning, {
    // ComfyUI: (height // 8, width // 8, y // 8, x // 8) in latent units
    area: { unit: 'latent', height: Math.floor(p.height / 8), width: Math.floor(p.width / 8), y: Math.floor(p.y / 8), x: Math.floor(p.x / 8) },
    strength: p.strength,
    setAreaToBounds: false,
    origin: `ConditioningSetArea #${ctx.nodeId}`,
  }),
}));
