import { defineNode } from '../node';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => ({ IMAGE: { shape: [...inputs.image.shape], data: inputs.image.data.map((v) => 1 - v) } }));
