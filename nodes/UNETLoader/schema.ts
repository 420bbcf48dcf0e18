import { combo, defineSchema, modelFile, out1 } from '../define';

export const schema = defineSchema({
  id: 'UNETLoader',
  version: 1,
  title: 'Load Diffusion Model',
  category: 'advanced/loaders',
  description: 'Loads a diffusion model (UNet) file alone, from models/diffusion_models or models/unet, in LDM or diffusers layout.',
  io: [
    modelFile('unet_name', 'diffusion_models'),
    combo('weight_dtype', ['default', 'fp8_e4m3fn', 'fp8_e4m3fn_fast', 'fp8_e5m2'], {
      description: 'fp8 storage is not implemented: weights keep their file precision (a warning says so)',
    }),
  ],
  outputs: [out1('MODEL')],
});
