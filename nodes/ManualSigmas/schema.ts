import { defineSchema, out1, text } from '../define';

export const schema = defineSchema({
  id: 'ManualSigmas',
  version: 1,
  title: 'ManualSigmas',
  category: '_for_testing/custom_sampling',
  description: 'Noise levels typed by hand, e.g. "14.6, 3, 0.5, 0" (experimental in ComfyUI).',
  io: [text('sigmas', { default: '1, 0.5' })],
  outputs: [out1('SIGMAS')],
});
