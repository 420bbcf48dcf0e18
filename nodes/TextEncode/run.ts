import type { NodeRunner } from '../runner';
import { expectInput, isClipHandle } from '../../server/runtime/pipeline/handles';
import { stringParam } from '../../server/runtime/pipeline/node-params';
import { encodeText } from '../../server/runtime/pipeline/text-encode';

export const run: NodeRunner = async (ctx) => {
  const clip = expectInput('TextEncode', 'clip', ctx.inputs.clip, isClipHandle, 'a CLIP');
  const conditioning = await encodeText(ctx.models, clip, stringParam('TextEncode', ctx, 'text'), ctx.warn);
  return { conditioning };
};
