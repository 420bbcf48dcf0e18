import { combo, defineSchema, float, out1 } from '../define';

export const schema = defineSchema({
  id: 'SamplerDPMPP_2M_SDE',
  version: 1,
  title: 'SamplerDPMPP_2M_SDE',
  category: 'sampling/custom_sampling/samplers',
  description: 'DPM++ 2M SDE (midpoint or Heun) with its eta and noise scale.',
  io: [
    combo('solver_type', ['midpoint', 'heun']),
    float('eta', { min: 0, max: 100, step: 0.01, round: false, default: 1 }),
    float('s_noise', { min: 0, max: 100, step: 0.01, round: false, default: 1 }),
    combo('noise_device', ['gpu', 'cpu']),
  ],
  outputs: [out1('SAMPLER')],
});
