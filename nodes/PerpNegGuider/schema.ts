import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'PerpNegGuider',
  version: 1,
  title: 'PerpNegGuider',
  category: '_for_testing',
  description: 'Perp-Neg guidance: only the part of the negative perpendicular to the positive is pushed away from (experimental in ComfyUI).',
  io: [
    socket('model', 'MODEL'),
    socket('positive', 'CONDITIONING'),
    socket('negative', 'CONDITIONING'),
    socket('empty_conditioning', 'CONDITIONING'),
    float('cfg', { min: 0, max: 100, step: 0.1, round: 0.01, default: 8 }),
    float('neg_scale', { min: 0, max: 100, step: 0.01, default: 1 }),
  ],
  outputs: [out1('GUIDER')],
});
