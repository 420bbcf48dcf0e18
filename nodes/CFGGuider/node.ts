import { defineNode } from '../node';
import { cfgGuiderValue } from '../../server/runtime/sampling/guider-value';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => ({
  GUIDER: cfgGuiderValue(inputs.model, inputs.positive, inputs.negative, params.cfg),
}));
