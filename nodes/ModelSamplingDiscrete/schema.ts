import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'ModelSamplingDiscrete',
  version: 1,
  title: 'Model Sampling (Discrete)',
  category: 'advanced',
  description: 'Overrides the prediction type the sampler assumes for a model (as ComfyUI\'s node of the same name).',
  inputs: [{ name: 'model', type: 'MODEL' }],
  outputs: [{ name: 'model', type: 'MODEL' }],
  params: [
    { name: 'sampling', kind: 'select', options: ['eps', 'v_prediction', 'lcm', 'x0'], default: 'eps' },
    { name: 'zsnr', kind: 'boolean', default: false, description: 'Rescale the noise schedule to zero terminal SNR.' },
  ],
};
