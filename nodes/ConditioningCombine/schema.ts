import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ConditioningCombine',
  version: 1,
  title: 'Conditioning (Combine)',
  category: 'conditioning',
  description: 'Both conditionings as one list: the sampler predicts with each entry and averages them (weighted by area and strength).',
  io: [socket('conditioning_1', 'CONDITIONING'), socket('conditioning_2', 'CONDITIONING')],
  outputs: [out1('CONDITIONING')],
});
