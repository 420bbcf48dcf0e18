import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ConditioningAverage',
  version: 1,
  title: 'ConditioningAverage',
  category: 'conditioning',
  description: 'Mixes the text of conditioning_from into each entry of conditioning_to: strength 1 keeps "to", 0 gives "from".',
  // ComfyUI's "ConditioningAverage " (trailing space) is only a key of its display-name table, never a class id
  // (absent from /object_info, so no workflow can hold it): no alias is declared
  io: [
    socket('conditioning_to', 'CONDITIONING'),
    socket('conditioning_from', 'CONDITIONING'),
    float('conditioning_to_strength', { min: 0, max: 1, step: 0.01, default: 1 }),
  ],
  outputs: [out1('CONDITIONING')],
});
