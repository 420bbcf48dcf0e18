import { defineSchema, text } from '../define';

export const schema = defineSchema({
  id: 'MarkdownNote',
  version: 1,
  title: 'Markdown Note',
  category: 'utils',
  description: 'A note rendered as Markdown; it does not run.',
  io: [text('text', { multiline: true })],
  outputs: [],
  frontendOnly: true,
});
