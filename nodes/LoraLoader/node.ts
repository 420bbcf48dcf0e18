import { defineNode } from '../node';
import { cachedLora, loraHandles } from '../../server/runtime/loaders/lora';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => {
  // ComfyUI returns the inputs untouched when both strengths are 0
  if (params.strength_model === 0 && params.strength_clip === 0) return { MODEL: inputs.model, CLIP: inputs.clip };
  const lora = await cachedLora(ctx.models, params.lora_name.path);
  const out = loraHandles(inputs.model, inputs.clip, lora, params.strength_model, params.strength_clip);
  if (out.report.warning) ctx.warn(out.report.warning);
  return { MODEL: out.model, CLIP: out.clip };
});
