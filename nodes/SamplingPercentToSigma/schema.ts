import { bool, defineSchema, float, out, socket } from '../define';

export const schema = defineSchema({
  id: 'SamplingPercentToSigma',
  version: 1,
  title: 'SamplingPercentToSigma',
  category: 'sampling/custom_sampling/sigmas',
  description: "The model's noise level at a fraction of sampling.",
  io: [
    socket('model', 'MODEL'),
    float('sampling_percent', { min: 0, max: 1, step: 0.0001, default: 0 }),
    bool('return_actual_sigma', { default: false }),
  ],
  outputs: [out('sigma_value', 'FLOAT')],
});
