import { defineNode } from '../node';
import { perpNegGuiderValue } from '../../server/runtime/sampling/guider-value';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => ({ GUIDER: perpNegGuiderValue(inputs.model, inputs, p.cfg, p.neg_scale) }));
