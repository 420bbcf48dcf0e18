import { defineSchema, text, out1 } from '../define';

export const schema = defineSchema({
  id: 'PrimitiveString',
  version: 1,
  title: 'String',
  category: 'utils/primitive',
  description: "A constant STRING value to feed other nodes' inputs.",
  io: [text('value')],
  outputs: [out1('STRING')],
});
