import { defineNode } from '../node';
import { mergeClips } from '../../server/runtime/checkpoint/merge-handles';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => ({ CLIP: mergeClips('add', 1, inputs.clip1, inputs.clip2) }));
