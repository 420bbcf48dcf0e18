import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'unCLIPConditioning',
  version: 1,
  title: 'unCLIPConditioning',
  category: 'conditioning',
  description:
    "Adds a CLIP vision output's image embeddings to the conditioning of an unCLIP model (noised by noise_augmentation, weighted by strength).",
  io: [
    socket('conditioning', 'CONDITIONING'),
    socket('clip_vision_output', 'CLIP_VISION_OUTPUT'),
    float('strength', { min: -10, max: 10, step: 0.01, default: 1 }),
    float('noise_augmentation', {
      min: 0,
      max: 1,
      step: 0.01,
      default: 0,
      description: 'how much noise the image embeddings get: higher strays further from the image',
    }),
  ],
  outputs: [out1('CONDITIONING')],
});
