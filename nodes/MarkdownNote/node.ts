import { defineNode } from '../node';
import { schema } from './schema';

/** Editor-only: the scheduler never runs it (see executable.ts). */
export default defineNode(schema, async () => {
  throw new Error('MarkdownNote is an editor node and never runs');
});
