import { defineSchema, modelFile, out1 } from '../define';

export const schema = defineSchema({
  id: 'CheckpointLoaderSimple',
  version: 1,
  title: 'Load Checkpoint',
  category: 'loaders',
  description:
    'Loads an SD 1.x, SD 2.x or SDXL checkpoint (.safetensors or .ckpt) and splits it into its diffusion model, text encoder and VAE. v-prediction is detected from the file; override it with ModelSamplingDiscrete.',
  io: [modelFile('ckpt_name', 'checkpoints')],
  outputs: [out1('MODEL'), out1('CLIP'), out1('VAE')],
  // ComfyUI's deprecated config loader: the config is ignored, the checkpoint says what it is
  aliases: [{ id: 'CheckpointLoader', widgets: ['config_name', 'ckpt_name'] }],
});
