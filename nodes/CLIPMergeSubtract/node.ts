import { defineNode } from '../node';
import { mergeClips } from '../../server/runtime/checkpoint/merge-handles';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => ({ CLIP: mergeClips('subtract', params.multiplier, inputs.clip1, inputs.clip2) }));
