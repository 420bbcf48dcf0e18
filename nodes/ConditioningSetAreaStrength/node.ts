import { defineNode } from '../node';
import { setValues } from '../../server/runtime/conditioning/ops';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => ({ CONDITIONING: setValues(inputs.conditioning, { strength: params.strength }) }));
