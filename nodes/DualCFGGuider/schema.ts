import { combo, defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'DualCFGGuider',
  version: 1,
  title: 'DualCFGGuider',
  category: 'sampling/custom_sampling/guiders',
  description: 'Guidance by two conditionings and a negative: cond2 away from the negative, cond1 away from cond2.',
  io: [
    socket('model', 'MODEL'),
    socket('cond1', 'CONDITIONING'),
    socket('cond2', 'CONDITIONING'),
    socket('negative', 'CONDITIONING'),
    float('cfg_conds', { min: 0, max: 100, step: 0.1, round: 0.01, default: 8 }),
    float('cfg_cond2_negative', { min: 0, max: 100, step: 0.1, round: 0.01, default: 8 }),
    combo('style', ['regular', 'nested']),
  ],
  outputs: [out1('GUIDER')],
});
