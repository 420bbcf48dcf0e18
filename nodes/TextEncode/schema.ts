import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'TextEncode',
  version: 1,
  title: 'Text Encode',
  category: 'conditioning',
  description: 'Encodes a prompt with the text encoder. Supports (word:1.2) weighting and long prompts.',
  inputs: [{ name: 'clip', type: 'CLIP' }],
  outputs: [{ name: 'conditioning', type: 'CONDITIONING' }],
  params: [{ name: 'text', kind: 'text', multiline: true, default: '' }],
};
