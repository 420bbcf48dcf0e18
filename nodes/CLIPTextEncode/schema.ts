import { defineSchema, out1, socket, text } from '../define';

export const schema = defineSchema({
  id: 'CLIPTextEncode',
  version: 1,
  title: 'CLIP Text Encode (Prompt)',
  category: 'conditioning',
  description: 'Encodes a prompt with the text encoder. Supports (word:1.2) weighting, embedding:name and prompts longer than 75 tokens.',
  io: [text('text', { multiline: true }), socket('clip', 'CLIP')],
  outputs: [out1('CONDITIONING')],
});
