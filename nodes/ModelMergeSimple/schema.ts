import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ModelMergeSimple',
  version: 1,
  title: 'Model Merge (simple)',
  category: 'advanced/model_merging',
  description: 'model1 × ratio + model2 × (1 − ratio), tensor by tensor (tensors only in model1 are kept).',
  io: [socket('model1', 'MODEL'), socket('model2', 'MODEL'), float('ratio', { min: 0, max: 1, step: 0.01, default: 1 })],
  outputs: [out1('MODEL')],
});
