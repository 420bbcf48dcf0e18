import { bool, defineSchema, int, optional, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'LatentCompositeMasked',
  version: 1,
  title: 'Latent Composite Masked',
  category: 'latent',
  description:
    'Pastes source into destination at (x, y) pixels (floored to multiples of 8) through an optional mask resized to the source; resize_source first resizes the source to the destination.',
  io: [
    socket('destination', 'LATENT'),
    socket('source', 'LATENT'),
    int('x', { min: 0, max: 16384, step: 8, default: 0 }),
    int('y', { min: 0, max: 16384, step: 8, default: 0 }),
    bool('resize_source', { default: false }),
    optional('mask', 'MASK'),
  ],
  outputs: [out1('LATENT')],
});
