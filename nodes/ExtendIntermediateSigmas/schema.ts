import { combo, defineSchema, float, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ExtendIntermediateSigmas',
  version: 1,
  title: 'ExtendIntermediateSigmas',
  category: 'sampling/custom_sampling/sigmas',
  description: 'Inserts extra noise levels between those in a range.',
  io: [
    socket('sigmas', 'SIGMAS'),
    int('steps', { min: 1, max: 100, default: 2 }),
    float('start_at_sigma', { min: -1, max: 20000, step: 0.01, round: false, default: -1 }),
    float('end_at_sigma', { min: 0, max: 20000, step: 0.01, round: false, default: 12 }),
    combo('spacing', ['linear', 'cosine', 'sine']),
  ],
  outputs: [out1('SIGMAS')],
});
