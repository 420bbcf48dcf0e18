import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ControlNetApply',
  version: 1,
  title: 'Apply ControlNet (OLD)',
  category: 'conditioning/controlnet',
  description: 'Steers the conditioning with a ControlNet and a hint image over the whole schedule (the negative gets it too).',
  deprecated: true,
  io: [
    socket('conditioning', 'CONDITIONING'),
    socket('control_net', 'CONTROL_NET'),
    socket('image', 'IMAGE'),
    float('strength', { min: 0, max: 10, step: 0.01, default: 1 }),
  ],
  outputs: [out1('CONDITIONING')],
});
