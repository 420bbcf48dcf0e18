import { combo, defineSchema, float, out1 } from '../define';

export const schema = defineSchema({
  id: 'SamplerDPMPP_SDE',
  version: 1,
  title: 'SamplerDPMPP_SDE',
  category: 'sampling/custom_sampling/samplers',
  description: 'DPM++ SDE with its eta, noise scale and r.',
  io: [
    float('eta', { min: 0, max: 100, step: 0.01, round: false, default: 1 }),
    float('s_noise', { min: 0, max: 100, step: 0.01, round: false, default: 1 }),
    float('r', { min: 0, max: 100, step: 0.01, round: false, default: 0.5 }),
    combo('noise_device', ['gpu', 'cpu']),
  ],
  outputs: [out1('SAMPLER')],
});
