import { defineNode } from '../node';
import { controlNetApplyAdvanced } from '../../server/runtime/controlnet/apply';
import { schema } from './schema';

// `vae` only matters for ControlNets that work in latent space (SD3/Flux); SD1/SD2/SDXL ControlNets take pixels
export default defineNode(schema, async ({ params, inputs, ctx }) => {
  const [positive, negative] = controlNetApplyAdvanced(inputs.positive, inputs.negative, inputs.control_net, inputs.image, {
    strength: params.strength,
    startPercent: params.start_percent,
    endPercent: params.end_percent,
    origin: `ControlNetApplyAdvanced #${ctx.nodeId}`,
  });
  return { positive, negative };
});
