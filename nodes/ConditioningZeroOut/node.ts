import { defineNode } from '../node';
import { zeroOut } from '../../server/runtime/conditioning/ops';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => ({ CONDITIONING: zeroOut(inputs.conditioning) }));
