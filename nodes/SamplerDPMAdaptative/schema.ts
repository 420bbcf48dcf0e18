import { defineSchema, float, int, out1 } from '../define';

export const schema = defineSchema({
  id: 'SamplerDPMAdaptative',
  version: 1,
  title: 'SamplerDPMAdaptative',
  category: 'sampling/custom_sampling/samplers',
  description: 'DPM adaptive step-size solver with its tolerances.',
  io: [
    int('order', { min: 2, max: 3, default: 3 }),
    float('rtol', { min: 0, max: 100, step: 0.01, round: false, default: 0.05 }),
    float('atol', { min: 0, max: 100, step: 0.01, round: false, default: 0.0078 }),
    float('h_init', { min: 0, max: 100, step: 0.01, round: false, default: 0.05 }),
    float('pcoeff', { min: 0, max: 100, step: 0.01, round: false, default: 0 }),
    float('icoeff', { min: 0, max: 100, step: 0.01, round: false, default: 1 }),
    float('dcoeff', { min: 0, max: 100, step: 0.01, round: false, default: 0 }),
    float('accept_safety', { min: 0, max: 100, step: 0.01, round: false, default: 0.81 }),
    float('eta', { min: 0, max: 100, step: 0.01, round: false, default: 0 }),
    float('s_noise', { min: 0, max: 100, step: 0.01, round: false, default: 1 }),
  ],
  outputs: [out1('SAMPLER')],
});
