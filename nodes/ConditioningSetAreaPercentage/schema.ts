import { defineSchema, float, out1, socket } from '../define';

const frac = { min: 0, max: 1, step: 0.01 } as const;

export const schema = defineSchema({
  id: 'ConditioningSetAreaPercentage',
  version: 1,
  title: 'Conditioning (Set Area with Percentage)',
  category: 'conditioning',
  description: 'Like Set Area, with the rectangle as fractions of the image (resolved on the latent when sampling).',
  io: [
    socket('conditioning', 'CONDITIONING'),
    float('width', { ...frac, default: 1 }),
    float('height', { ...frac, default: 1 }),
    float('x', { ...frac, default: 0 }),
    float('y', { ...frac, default: 0 }),
    float('strength', { min: 0, max: 10, step: 0.01, default: 1 }),
  ],
  outputs: [out1('CONDITIONING')],
});
