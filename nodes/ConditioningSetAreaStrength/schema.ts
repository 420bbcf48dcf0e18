import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ConditioningSetAreaStrength',
  version: 1,
  title: 'ConditioningSetAreaStrength',
  category: 'conditioning',
  description: "Sets the weight of the conditioning's entries where they apply.",
  io: [socket('conditioning', 'CONDITIONING'), float('strength', { min: 0, max: 10, step: 0.01, default: 1 })],
  outputs: [out1('CONDITIONING')],
});
