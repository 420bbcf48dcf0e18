import { defineNode } from '../node';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => ({
  MODEL: {
    ...inputs.model,
    cfgFunction: { kind: 'rescale_cfg' as const, multiplier: params.multiplier },
    recipe: [...inputs.model.recipe, { step: 'rescale_cfg', multiplier: params.multiplier }],
  },
}));
