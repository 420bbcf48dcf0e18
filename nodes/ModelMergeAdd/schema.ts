import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ModelMergeAdd',
  version: 1,
  title: 'Model Add',
  category: 'advanced/model_merging',
  description: 'model1 + model2, tensor by tensor (e.g. a base model plus a difference from Model Subtract).',
  io: [socket('model1', 'MODEL'), socket('model2', 'MODEL')],
  outputs: [out1('MODEL')],
});
