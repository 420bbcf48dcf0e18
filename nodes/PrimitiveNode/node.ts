import { defineNode } from '../node';
import { schema } from './schema';

/** Editor-only: the scheduler never runs it (see executable.ts). */
export default defineNode(schema, async () => {
  throw new Error('PrimitiveNode is an editor node and never runs');
});
