import { defineSchema, float, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'RescaleCFG',
  version: 1,
  title: 'RescaleCFG',
  category: 'advanced/model',
  description:
    "Rescales classifier-free guidance so the guided prediction keeps the conditional one's spread (for v-prediction and zero-SNR models at high CFG).",
  io: [socket('model', 'MODEL'), float('multiplier', { min: 0, max: 1, step: 0.01, default: 0.7, description: '0 = plain CFG, 1 = fully rescaled' })],
  outputs: [out1('MODEL')],
});
