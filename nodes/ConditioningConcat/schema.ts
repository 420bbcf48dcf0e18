import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ConditioningConcat',
  version: 1,
  title: 'Conditioning (Concat)',
  category: 'conditioning',
  description: 'Appends the tokens of conditioning_from to each entry of conditioning_to (one longer prompt, no break in attention).',
  io: [socket('conditioning_to', 'CONDITIONING'), socket('conditioning_from', 'CONDITIONING')],
  outputs: [out1('CONDITIONING')],
});
