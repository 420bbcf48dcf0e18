import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ModelMergeSubtract',
  version: 1,
  title: 'Model Subtract',
  category: 'advanced/model_merging',
  description: '(model1 − model2) × multiplier, tensor by tensor: gives the difference a fine-tune made, to add to another model.',
  io: [socket('model1', 'MODEL'), socket('model2', 'MODEL'), float('multiplier', { min: -10, max: 10, step: 0.01, default: 1 })],
  outputs: [out1('MODEL')],
});
