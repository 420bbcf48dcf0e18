import type { NodeSchema } from '../types';
import { SAMPLER_NAMES, SCHEDULER_NAMES } from '../sampling-options';

export const schema: NodeSchema = {
  id: 'KSampler',
  version: 1,
  title: 'KSampler',
  category: 'sampling',
  description: 'Denoises a latent with the model, guided by positive and negative conditioning.',
  inputs: [
    { name: 'model', type: 'MODEL' },
    { name: 'positive', type: 'CONDITIONING' },
    { name: 'negative', type: 'CONDITIONING' },
    { name: 'latent_image', type: 'LATENT' },
  ],
  outputs: [{ name: 'latent', type: 'LATENT' }],
  params: [
    { name: 'seed', kind: 'seed', default: 0, control: 'randomize' },
    { name: 'steps', kind: 'int', min: 1, max: 10000, step: 1, default: 20 },
    { name: 'cfg', kind: 'number', min: 0, max: 100, step: 0.1, default: 8 },
    { name: 'sampler_name', kind: 'select', options: SAMPLER_NAMES, default: 'euler' },
    { name: 'scheduler', kind: 'select', options: SCHEDULER_NAMES, default: 'normal' },
    { name: 'denoise', kind: 'number', min: 0, max: 1, step: 0.01, default: 1, slider: true },
  ],
};
