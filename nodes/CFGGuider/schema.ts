import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'CFGGuider',
  version: 1,
  title: 'CFGGuider',
  category: 'sampling/custom_sampling/guiders',
  description: 'Classifier-free guidance: the positive pushed away from the negative by cfg.',
  io: [
    socket('model', 'MODEL'),
    socket('positive', 'CONDITIONING'),
    socket('negative', 'CONDITIONING'),
    float('cfg', { min: 0, max: 100, step: 0.1, round: 0.01, default: 8 }),
  ],
  outputs: [out1('GUIDER')],
});
