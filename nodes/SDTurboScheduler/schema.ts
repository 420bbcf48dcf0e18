import { defineSchema, float, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'SDTurboScheduler',
  version: 1,
  title: 'SDTurboScheduler',
  category: 'sampling/custom_sampling/schedulers',
  description: 'SD-Turbo / SDXL-Turbo noise levels for 1 to 10 steps.',
  io: [socket('model', 'MODEL'), int('steps', { min: 1, max: 10, default: 1 }), float('denoise', { min: 0, max: 1, step: 0.01, default: 1 })],
  outputs: [out1('SIGMAS')],
});
