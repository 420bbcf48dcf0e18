import { defineNode } from '../node';
import { encodeImageWithClipVision } from '../../server/runtime/loaders/clip-vision';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs, ctx }) => ({
  CLIP_VISION_OUTPUT: await encodeImageWithClipVision(ctx.models, inputs.clip_vision, inputs.image, params.crop === 'center'),
}));
