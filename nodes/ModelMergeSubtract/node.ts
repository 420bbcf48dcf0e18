import { defineNode } from '../node';
import { mergeModels } from '../../server/runtime/checkpoint/merge-handles';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => ({
  MODEL: mergeModels({ mode: 'subtract', a: inputs.model1, b: inputs.model2, ratio: params.multiplier }),
}));
