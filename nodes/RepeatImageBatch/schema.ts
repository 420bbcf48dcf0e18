import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'RepeatImageBatch',
  version: 1,
  title: 'Repeat Image Batch',
  category: 'image/batch',
  description: 'Repeats the whole batch `amount` times.',
  io: [socket('image', 'IMAGE'), int('amount', { min: 1, max: 4096, default: 1 })],
  outputs: [out1('IMAGE')],
});
