import { defineSchema, modelFile, out1 } from '../define';

export const schema = defineSchema({
  id: 'UpscaleModelLoader',
  version: 1,
  title: 'Load Upscale Model',
  category: 'loaders',
  description: 'Loads an image upscale model (ESRGAN / Real-ESRGAN RRDBNet, SRVGGNetCompact, SwinIR) from models/upscale_models.',
  io: [modelFile('model_name', 'upscale_models')],
  outputs: [out1('UPSCALE_MODEL')],
});
