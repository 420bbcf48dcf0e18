import { bool, combo, defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ModelSamplingDiscrete',
  version: 1,
  title: 'ModelSamplingDiscrete',
  category: 'advanced/model',
  description: 'Overrides what the model predicts (eps or v-prediction; LCM, x0 and zero-terminal-SNR are coming) when detection from the checkpoint is wrong.',
  io: [socket('model', 'MODEL'), combo('sampling', ['eps', 'v_prediction', 'lcm', 'x0', 'img_to_img']), bool('zsnr', { default: false, description: 'rescale the noise schedule to zero terminal SNR' })],
  outputs: [out1('MODEL')],
});
