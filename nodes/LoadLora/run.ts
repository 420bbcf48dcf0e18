import type { NodeRunner } from '../runner';
import { expectInput, isClipHandle, isModelHandle } from '../../server/runtime/pipeline/handles';
import { cachedLora, loraHandles } from '../../server/runtime/pipeline/lora';
import { modelFile, numberParam } from '../../server/runtime/pipeline/node-params';

const N = 'LoadLora';

export const run: NodeRunner = async (ctx) => {
  const model = expectInput(N, 'model', ctx.inputs.model, isModelHandle, 'a MODEL');
  const clip = expectInput(N, 'clip', ctx.inputs.clip, isClipHandle, 'a CLIP');
  const lora = await cachedLora(ctx.models, modelFile(N, ctx, 'file', 'loras'));
  const out = loraHandles(model, clip, lora, numberParam(N, ctx, 'strength_model'), numberParam(N, ctx, 'strength_clip'));
  if (out.report.warning) ctx.warn(out.report.warning);
  return { model: out.model, clip: out.clip };
};
