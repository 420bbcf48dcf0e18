import { defineSchema, text } from '../define';

export const schema = defineSchema({
  id: 'Note',
  version: 1,
  title: 'Note',
  category: 'utils',
  description: 'A text note on the canvas; it does not run.',
  io: [text('text', { multiline: true })],
  outputs: [],
  frontendOnly: true,
});
