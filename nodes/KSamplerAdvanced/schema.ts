import { combo, defineSchema, float, int, out1, seed, socket } from '../define';
import { SAMPLER_NAMES, SCHEDULER_NAMES } from '../../server/runtime/sampling/names';

export const schema = defineSchema({
  id: 'KSamplerAdvanced',
  version: 1,
  title: 'KSampler (Advanced)',
  category: 'sampling',
  description: 'KSampler over a slice of the schedule (start/end step), with or without adding noise: for refiner hand-offs and multi-pass sampling.',
  io: [
    socket('model', 'MODEL'),
    combo('add_noise', ['enable', 'disable']),
    seed('noise_seed'),
    int('steps', { min: 1, max: 10000, step: 1, default: 20 }),
    float('cfg', { min: 0, max: 100, step: 0.1, round: 0.01, default: 8 }),
    combo('sampler_name', SAMPLER_NAMES),
    combo('scheduler', SCHEDULER_NAMES),
    socket('positive', 'CONDITIONING'),
    socket('negative', 'CONDITIONING'),
    socket('latent_image', 'LATENT'),
    int('start_at_step', { min: 0, max: 10000, step: 1, default: 0 }),
    int('end_at_step', { min: 0, max: 10000, step: 1, default: 10000 }),
    combo('return_with_leftover_noise', ['disable', 'enable']),
  ],
  outputs: [out1('LATENT')],
});
