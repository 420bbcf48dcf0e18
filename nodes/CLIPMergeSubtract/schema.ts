import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'CLIPMergeSubtract',
  version: 1,
  title: 'CLIP Subtract',
  category: 'advanced/model_merging',
  description: '(clip1 − clip2) × multiplier for every text-encoder tensor.',
  io: [socket('clip1', 'CLIP'), socket('clip2', 'CLIP'), float('multiplier', { min: -10, max: 10, step: 0.01, default: 1 })],
  outputs: [out1('CLIP')],
});
