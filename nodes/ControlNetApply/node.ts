import { defineNode } from '../node';
import { controlNetApply } from '../../server/runtime/controlnet/apply';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => ({
  CONDITIONING: controlNetApply(inputs.conditioning, inputs.control_net, inputs.image, params.strength, `ControlNetApply #${ctx.nodeId}`),
}));
