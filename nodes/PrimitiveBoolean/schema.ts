import { defineSchema, bool, out1 } from '../define';

export const schema = defineSchema({
  id: 'PrimitiveBoolean',
  version: 1,
  title: 'Boolean',
  category: 'utils/primitive',
  description: "A constant BOOLEAN value to feed other nodes' inputs.",
  io: [bool('value', { default: false })],
  outputs: [out1('BOOLEAN')],
});
