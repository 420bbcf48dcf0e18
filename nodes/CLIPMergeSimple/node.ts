import { defineNode } from '../node';
import { mergeClips } from '../../server/runtime/checkpoint/merge-handles';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => ({ CLIP: mergeClips('weighted_sum', params.ratio, inputs.clip1, inputs.clip2) }));
