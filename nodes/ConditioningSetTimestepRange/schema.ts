import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ConditioningSetTimestepRange',
  version: 1,
  title: 'ConditioningSetTimestepRange',
  category: 'advanced/conditioning',
  description: 'Applies the conditioning only between start and end, as fractions of the sampling schedule (0 = first step).',
  io: [
    socket('conditioning', 'CONDITIONING'),
    float('start', { min: 0, max: 1, step: 0.001, default: 0 }),
    float('end', { min: 0, max: 1, step: 0.001, default: 1 }),
  ],
  outputs: [out1('CONDITIONING')],
});
