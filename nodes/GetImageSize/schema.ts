import { defineSchema, out, socket } from '../define';

export const schema = defineSchema({
  id: 'GetImageSize',
  version: 1,
  title: 'Get Image Size',
  category: 'image',
  description: 'The width, height and batch size of an image.',
  io: [socket('image', 'IMAGE')],
  outputs: [out('width', 'INT'), out('height', 'INT'), out('batch_size', 'INT')],
});
