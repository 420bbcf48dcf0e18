import { defineSchema, modelFile, out1 } from '../define';

export const schema = defineSchema({
  id: 'ControlNetLoader',
  version: 1,
  title: 'Load ControlNet Model',
  category: 'loaders',
  description:
    'Loads a ControlNet (ldm control_model.* or diffusers layout, SD1.5/SD2/SDXL) or a T2I-Adapter (full, light, SDXL; TencentARC or diffusers layout) from models/controlnet.',
  io: [modelFile('control_net_name', 'controlnet')],
  outputs: [out1('CONTROL_NET')],
});
