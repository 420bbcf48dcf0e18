import { defineSchema, float, out, socket } from '../define';

export const schema = defineSchema({
  id: 'ControlNetInpaintingAliMamaApply',
  version: 1,
  title: 'ControlNetInpaintingAliMamaApply',
  category: 'conditioning/controlnet',
  description:
    'Apply ControlNet with an inpainting mask: the masked hint and the mask go to ControlNets that take them (AliMama inpainting); others get the hint as Apply ControlNet gives it.',
  io: [
    socket('positive', 'CONDITIONING'),
    socket('negative', 'CONDITIONING'),
    socket('control_net', 'CONTROL_NET'),
    socket('vae', 'VAE'),
    socket('image', 'IMAGE'),
    socket('mask', 'MASK'),
    float('strength', { min: 0, max: 10, step: 0.01, default: 1 }),
    float('start_percent', { min: 0, max: 1, step: 0.001, default: 0 }),
    float('end_percent', { min: 0, max: 1, step: 0.001, default: 1 }),
  ],
  outputs: [out('positive', 'CONDITIONING'), out('negative', 'CONDITIONING')],
});
