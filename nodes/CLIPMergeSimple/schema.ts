import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'CLIPMergeSimple',
  version: 1,
  title: 'CLIP Merge (simple)',
  category: 'advanced/model_merging',
  description: 'clip1 × ratio + clip2 × (1 − ratio) for every text-encoder tensor (position ids and logit scale are kept from clip1).',
  io: [socket('clip1', 'CLIP'), socket('clip2', 'CLIP'), float('ratio', { min: 0, max: 1, step: 0.01, default: 1 })],
  outputs: [out1('CLIP')],
});
