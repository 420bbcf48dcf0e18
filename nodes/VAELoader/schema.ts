import { defineSchema, modelFile, out1 } from '../define';

export const schema = defineSchema({
  id: 'VAELoader',
  version: 1,
  title: 'Load VAE',
  category: 'loaders',
  description: "Loads a standalone VAE (LDM layout) from models/vae, e.g. to replace a checkpoint's own VAE.",
  io: [modelFile('vae_name', 'vae')],
  outputs: [out1('VAE')],
});
