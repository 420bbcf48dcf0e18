import { defineNode } from '../node';
import { dualCfgGuiderValue } from '../../server/runtime/sampling/guider-value';
import { schema } from './schema';

export default defineNode(schema, async ({ params: p, inputs }) => ({
  GUIDER: dualCfgGuiderValue(inputs.model, inputs, p.cfg_conds, p.cfg_cond2_negative, p.style === 'nested'),
}));
