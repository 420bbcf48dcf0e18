import type { NodeSchema } from '../types';
import { SAMPLER_NAMES, SCHEDULER_NAMES } from '../sampling-options';

export const schema: NodeSchema = {
  id: 'KSamplerAdvanced',
  version: 1,
  title: 'KSampler (Advanced)',
  category: 'sampling',
  description: 'KSampler with control over noise and the step range; with add_noise off it continues from a given latent exactly.',
  inputs: [
    { name: 'model', type: 'MODEL' },
    { name: 'positive', type: 'CONDITIONING' },
    { name: 'negative', type: 'CONDITIONING' },
    { name: 'latent_image', type: 'LATENT' },
  ],
  outputs: [{ name: 'latent', type: 'LATENT' }],
  params: [
    { name: 'add_noise', kind: 'boolean', default: true },
    { name: 'noise_seed', kind: 'seed', default: 0, control: 'randomize' },
    { name: 'steps', kind: 'int', min: 1, max: 10000, step: 1, default: 20 },
    { name: 'cfg', kind: 'number', min: 0, max: 100, step: 0.1, default: 8 },
    { name: 'sampler_name', kind: 'select', options: SAMPLER_NAMES, default: 'euler' },
    { name: 'scheduler', kind: 'select', options: SCHEDULER_NAMES, default: 'normal' },
    { name: 'start_at_step', kind: 'int', min: 0, max: 10000, step: 1, default: 0 },
    { name: 'end_at_step', kind: 'int', min: 0, max: 10000, step: 1, default: 10000 },
    { name: 'return_with_leftover_noise', kind: 'boolean', default: false },
  ],
};
