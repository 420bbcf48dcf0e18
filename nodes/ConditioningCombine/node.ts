import { defineNode } from '../node';
import { combine } from '../../server/runtime/conditioning/ops';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => ({ CONDITIONING: combine(inputs.conditioning_1, inputs.conditioning_2) }));
