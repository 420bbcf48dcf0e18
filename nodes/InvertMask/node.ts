import { defineNode } from '../node';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => ({ MASK: { shape: [...inputs.mask.shape], data: inputs.mask.data.map((v) => 1 - v) } }));
