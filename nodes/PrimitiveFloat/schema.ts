import { defineSchema, float, out1 } from '../define';

export const schema = defineSchema({
  id: 'PrimitiveFloat',
  version: 1,
  title: 'Float',
  category: 'utils/primitive',
  description: "A constant FLOAT value to feed other nodes' inputs.",
  io: [float('value', { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, step: 0.1, default: 0 })],
  outputs: [out1('FLOAT')],
});
