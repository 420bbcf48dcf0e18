import { defineNode } from '../node';
import { mergeModels } from '../../server/runtime/checkpoint/merge-handles';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => ({ MODEL: mergeModels({ mode: 'add', a: inputs.model1, b: inputs.model2 }) }));
