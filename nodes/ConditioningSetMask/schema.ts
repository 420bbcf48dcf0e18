import { combo, defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ConditioningSetMask',
  version: 1,
  title: 'Conditioning (Set Mask)',
  category: 'conditioning',
  description: 'Applies the conditioning where the mask is set (resized to the latent); "mask bounds" runs it on the mask\'s bounding box only.',
  io: [
    socket('conditioning', 'CONDITIONING'),
    socket('mask', 'MASK'),
    float('strength', { min: 0, max: 10, step: 0.01, default: 1 }),
    combo('set_cond_area', ['default', 'mask bounds'], { default: 'default' }),
  ],
  outputs: [out1('CONDITIONING')],
});
