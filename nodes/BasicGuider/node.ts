import { defineNode } from '../node';
import { basicGuiderValue } from '../../server/runtime/sampling/guider-value';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => ({ GUIDER: basicGuiderValue(inputs.model, inputs.conditioning) }));
