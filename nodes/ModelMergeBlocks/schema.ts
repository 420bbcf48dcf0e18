import { defineSchema, float, out1, socket } from '../define';

const unit = { min: 0, max: 1, step: 0.01, default: 1 } as const;

export const schema = defineSchema({
  id: 'ModelMergeBlocks',
  version: 1,
  title: 'Model Merge (blocks)',
  category: 'advanced/model_merging',
  description:
    'Like ModelMergeSimple with one ratio for the input blocks, one for the middle block and one for the output blocks (the longest matching key prefix wins; input is the default).',
  io: [socket('model1', 'MODEL'), socket('model2', 'MODEL'), float('input', unit), float('middle', unit), float('out', unit)],
  outputs: [out1('MODEL')],
});
