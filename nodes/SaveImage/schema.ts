import { defineSchema, socket, text } from '../define';

export const schema = defineSchema({
  id: 'SaveImage',
  version: 1,
  title: 'Save Image',
  category: 'image',
  description: "Saves images as PNG under output/, with the workflow embedded (ours, and ComfyUI's prompt and workflow, so ComfyUI opens them too).",
  io: [socket('images', 'IMAGE'), text('filename_prefix', { default: 'LatentLoom' })],
  outputs: [],
  output: true,
});
