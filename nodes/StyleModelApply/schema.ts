import { combo, defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'StyleModelApply',
  version: 1,
  title: 'Apply Style Model',
  category: 'conditioning/style_model',
  description: "Appends a style model's tokens for the CLIP vision output's images to the conditioning.",
  io: [
    socket('conditioning', 'CONDITIONING'),
    socket('style_model', 'STYLE_MODEL'),
    socket('clip_vision_output', 'CLIP_VISION_OUTPUT'),
    float('strength', { min: 0, max: 10, step: 0.001, default: 1 }),
    combo('strength_type', ['multiply', 'attn_bias'] as const, {
      description: 'multiply scales the style tokens; attn_bias (strength 1 only here) leaves them as they are',
    }),
  ],
  outputs: [out1('CONDITIONING')],
});
