import { defineSchema, float, optional, out, socket } from '../define';

export const schema = defineSchema({
  id: 'ControlNetApplyAdvanced',
  version: 1,
  title: 'Apply ControlNet',
  category: 'conditioning/controlnet',
  description: 'Steers positive and negative with a ControlNet and a hint image between start and end (fractions of the schedule).',
  io: [
    socket('positive', 'CONDITIONING'),
    socket('negative', 'CONDITIONING'),
    socket('control_net', 'CONTROL_NET'),
    socket('image', 'IMAGE'),
    float('strength', { min: 0, max: 10, step: 0.01, default: 1 }),
    float('start_percent', { min: 0, max: 1, step: 0.001, default: 0 }),
    float('end_percent', { min: 0, max: 1, step: 0.001, default: 1 }),
    optional('vae', 'VAE'),
  ],
  outputs: [out('positive', 'CONDITIONING'), out('negative', 'CONDITIONING')],
});
