import { defineSchema, socket, text } from '../define';

export const schema = defineSchema({
  id: 'CheckpointSave',
  version: 1,
  title: 'Save Checkpoint',
  category: 'advanced/model_merging',
  description: 'Writes the (merged or patched) model, text encoder and VAE as one .safetensors, with the recipe and workflow in its metadata.',
  io: [socket('model', 'MODEL'), socket('clip', 'CLIP'), socket('vae', 'VAE'), text('filename_prefix', { default: 'checkpoints/LatentLoom' })],
  outputs: [],
  output: true,
});
