import { defineSchema, float, modelFile, out1, socket } from '../define';

export const schema = defineSchema({
  id: 'LoraLoaderModelOnly',
  version: 1,
  title: 'Load LoRA (model only)',
  category: 'loaders',
  description: 'Patches only the diffusion model with a LoRA; text-encoder modules in the file are ignored.',
  io: [socket('model', 'MODEL'), modelFile('lora_name', 'loras'), float('strength_model', { min: -100, max: 100, step: 0.01, default: 1 })],
  outputs: [out1('MODEL')],
});
