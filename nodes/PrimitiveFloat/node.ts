import { defineNode } from '../node';
import { schema } from './schema';

export default defineNode(schema, async ({ params }) => ({ FLOAT: params.value }));
