import { combo, defineSchema, float, int, out1 } from '../define';

export const schema = defineSchema({
  id: 'AlignYourStepsScheduler',
  version: 1,
  title: 'AlignYourStepsScheduler',
  category: 'sampling/custom_sampling/schedulers',
  description: "NVIDIA's Align Your Steps noise levels for SD1, SDXL or SVD.",
  io: [
    combo('model_type', ['SD1', 'SDXL', 'SVD']),
    int('steps', { min: 1, max: 10000, default: 10 }),
    float('denoise', { min: 0, max: 1, step: 0.01, default: 1 }),
  ],
  outputs: [out1('SIGMAS')],
});
