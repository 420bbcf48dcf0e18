import { defineSchema, text, out1 } from '../define';

export const schema = defineSchema({
  id: 'PrimitiveStringMultiline',
  version: 1,
  title: 'String (Multiline)',
  category: 'utils/primitive',
  description: "A constant STRING value to feed other nodes' inputs.",
  io: [text('value', { multiline: true })],
  outputs: [out1('STRING')],
});
