import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'CLIPMergeAdd',
  version: 1,
  title: 'CLIP Add',
  category: 'advanced/model_merging',
  description: 'clip1 + clip2 for every text-encoder tensor.',
  io: [socket('clip1', 'CLIP'), socket('clip2', 'CLIP')],
  outputs: [out1('CLIP')],
});
