import type { NodeRunner } from '../runner';
import { expectInput, isClipHandle } from '../../server/runtime/pipeline/handles';
import { numberParam, stringParam } from '../../server/runtime/pipeline/node-params';
import { encodeSdxl } from './encode';

const NODE = 'CLIPTextEncodeSDXL';

export const run: NodeRunner = async (ctx) => {
  const clip = expectInput(NODE, 'clip', ctx.inputs.clip, isClipHandle, 'a CLIP');
  const n = (name: string) => numberParam(NODE, ctx, name);
  const sizes = {
    height: n('height'), width: n('width'), cropH: n('crop_h'), cropW: n('crop_w'),
    targetHeight: n('target_height'), targetWidth: n('target_width'),
  };
  const conditioning = await encodeSdxl(ctx.models, clip, { textG: stringParam(NODE, ctx, 'text_g'), textL: stringParam(NODE, ctx, 'text_l') }, sizes);
  return { conditioning };
};
