import { combo, defineSchema, float, int, out1, seed, socket } from '../define';
import { SAMPLER_NAMES, SCHEDULER_NAMES } from '../../server/runtime/sampling/names';

export const schema = defineSchema({
  id: 'KSampler',
  version: 1,
  title: 'KSampler',
  category: 'sampling',
  description: 'Denoises a latent with the model, guided by positive and negative conditioning.',
  io: [
    socket('model', 'MODEL'),
    seed('seed', { description: 'the random seed used for creating the noise' }),
    int('steps', { min: 1, max: 10000, step: 1, default: 20 }),
    float('cfg', { min: 0, max: 100, step: 0.1, round: 0.01, default: 8 }),
    combo('sampler_name', SAMPLER_NAMES),
    combo('scheduler', SCHEDULER_NAMES),
    socket('positive', 'CONDITIONING'),
    socket('negative', 'CONDITIONING'),
    socket('latent_image', 'LATENT'),
    float('denoise', { min: 0, max: 1, step: 0.01, default: 1, slider: true }),
  ],
  outputs: [out1('LATENT')],
});
