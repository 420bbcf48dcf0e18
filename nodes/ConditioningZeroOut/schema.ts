import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ConditioningZeroOut',
  version: 1,
  title: 'ConditioningZeroOut',
  category: 'advanced/conditioning',
  description: 'The same conditioning with its text tensors (and pooled output) all zeros: an "empty" negative.',
  io: [socket('conditioning', 'CONDITIONING')],
  outputs: [out1('CONDITIONING')],
});
