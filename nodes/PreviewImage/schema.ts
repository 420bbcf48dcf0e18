import { defineSchema, socket } from '../define';

export const schema = defineSchema({
  id: 'PreviewImage',
  version: 1,
  title: 'Preview Image',
  category: 'image',
  description: 'Shows images without keeping them (written to a temporary folder under output/).',
  io: [socket('images', 'IMAGE')],
  outputs: [],
  output: true,
});
