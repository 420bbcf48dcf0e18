import { combo, defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'LatentRotate',
  version: 1,
  title: 'Rotate Latent',
  category: 'latent/transform',
  description: 'Rotates latents clockwise by a quarter turn, a half or three quarters.',
  io: [socket('samples', 'LATENT'), combo('rotation', ['none', '90 degrees', '180 degrees', '270 degrees'])],
  outputs: [out1('LATENT')],
});
