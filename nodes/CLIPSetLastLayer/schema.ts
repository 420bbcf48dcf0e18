import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'CLIPSetLastLayer',
  version: 1,
  title: 'CLIP Set Last Layer',
  category: 'conditioning',
  description: 'Which text-encoder layer the prompt is read from: -1 the last, -2 the one before ("clip skip 2").',
  io: [socket('clip', 'CLIP'), int('stop_at_clip_layer', { min: -24, max: -1, step: 1, default: -1 })],
  outputs: [out1('CLIP')],
});
