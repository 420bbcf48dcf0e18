import { defineNode } from '../node';
import { cachedLora, loraModelOnly } from '../../server/runtime/loaders/lora';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => {
  if (params.strength_model === 0) return { MODEL: inputs.model };
  const lora = await cachedLora(ctx.models, params.lora_name.path);
  const out = loraModelOnly(inputs.model, lora, params.strength_model);
  if (out.report.warning) ctx.warn(out.report.warning);
  return { MODEL: out.model };
});
