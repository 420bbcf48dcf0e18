import { defineNode } from '../node';
import { controlNetApplyAdvanced } from '../../server/runtime/controlnet/apply';
import { schema } from './schema';

// ComfyUI masks the hint and appends the mask only for ControlNets with concat_mask (the AliMama SD3/Flux inpainting
// ControlNets, DiT models we do not load); for every ControlNet we load it is ControlNetApplyAdvanced, vae unused.
export default defineNode(schema, async ({ params, inputs, ctx }) => {
  const [positive, negative] = controlNetApplyAdvanced(inputs.positive, inputs.negative, inputs.control_net, inputs.image, {
    strength: params.strength,
    startPercent: params.start_percent,
    endPercent: params.end_percent,
    origin: `ControlNetInpaintingAliMamaApply #${ctx.nodeId}`,
  });
  return { positive, negative };
});
