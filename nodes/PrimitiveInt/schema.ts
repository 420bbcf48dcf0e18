import { defineSchema, int, out1 } from '../define';

export const schema = defineSchema({
  id: 'PrimitiveInt',
  version: 1,
  title: 'Int',
  category: 'utils/primitive',
  description: "A constant INT value to feed other nodes' inputs.",
  io: [int('value', { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, step: 1, default: 0, control: 'fixed' })],
  outputs: [out1('INT')],
});
