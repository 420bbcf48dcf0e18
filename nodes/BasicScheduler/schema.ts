import { combo, defineSchema, float, int, out1, socket } from '../define';
import { SCHEDULER_NAMES } from '../../server/runtime/sampling/names';

export const schema = defineSchema({
  id: 'BasicScheduler',
  version: 1,
  title: 'BasicScheduler',
  category: 'sampling/custom_sampling/schedulers',
  description: 'The noise levels (sigmas) of a named scheduler for this model.',
  io: [
    socket('model', 'MODEL'),
    combo('scheduler', SCHEDULER_NAMES),
    int('steps', { min: 1, max: 10000, default: 20 }),
    float('denoise', { min: 0, max: 1, step: 0.01, default: 1 }),
  ],
  outputs: [out1('SIGMAS')],
});
