import { defineSchema, modelFile, out1 } from '../define';

export const schema = defineSchema({
  id: 'unCLIPCheckpointLoader',
  version: 1,
  title: 'unCLIPCheckpointLoader',
  category: 'loaders',
  description: 'Loads an SD 2.1 unCLIP checkpoint: its diffusion model, text encoder and VAE, and the CLIP image encoder it carries.',
  io: [modelFile('ckpt_name', 'checkpoints')],
  outputs: [out1('MODEL'), out1('CLIP'), out1('VAE'), out1('CLIP_VISION')],
});
