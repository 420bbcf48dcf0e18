import { defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'BasicGuider',
  version: 1,
  title: 'BasicGuider',
  category: 'sampling/custom_sampling/guiders',
  description: 'Guidance by one conditioning alone (no negative, cfg 1).',
  io: [socket('model', 'MODEL'), socket('conditioning', 'CONDITIONING')],
  outputs: [out1('GUIDER')],
});
