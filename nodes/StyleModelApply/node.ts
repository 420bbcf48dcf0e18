import { defineNode } from '../node';
import { applyStyleModel } from '../../server/runtime/loaders/style-model';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs, ctx }) => ({
  CONDITIONING: await applyStyleModel(ctx.models, inputs.style_model, inputs.conditioning, inputs.clip_vision_output, p.strength, p.strength_type),
}));
