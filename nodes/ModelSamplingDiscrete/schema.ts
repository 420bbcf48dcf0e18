import { bool, combo, defineSchema, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'ModelSamplingDiscrete',
  version: 1,
  title: 'ModelSamplingDiscrete',
  category: 'advanced/model',
  description:
    'Overrides how the model is sampled: what it predicts (eps, v-prediction) when detection from the checkpoint is wrong, LCM and x0 distilled models, img_to_img, and zero-terminal-SNR rescaling.',
  io: [
    socket('model', 'MODEL'),
    combo('sampling', ['eps', 'v_prediction', 'lcm', 'x0', 'img_to_img']),
    bool('zsnr', { default: false, description: 'rescale the noise schedule to zero terminal SNR' }),
  ],
  outputs: [out1('MODEL')],
});
