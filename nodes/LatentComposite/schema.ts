import { defineSchema, int, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'LatentComposite',
  version: 1,
  title: 'Latent Composite',
  category: 'latent',
  description:
    'Pastes samples_from into samples_to at (x, y) pixels (floored to multiples of 8), optionally feathering the pasted edges that lie inside.',
  io: [
    socket('samples_to', 'LATENT'),
    socket('samples_from', 'LATENT'),
    int('x', { min: 0, max: 16384, step: 8, default: 0 }),
    int('y', { min: 0, max: 16384, step: 8, default: 0 }),
    int('feather', { min: 0, max: 16384, step: 8, default: 0 }),
  ],
  outputs: [out1('LATENT')],
});
