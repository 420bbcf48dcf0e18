import { defineSchema, modelFile, out1 } from '../define';

export const schema = defineSchema({
  id: 'CLIPVisionLoader',
  version: 1,
  title: 'Load CLIP Vision',
  category: 'loaders',
  description: 'Loads a CLIP image encoder (ViT-L/H/bigG in HF layout) from models/clip_vision.',
  io: [modelFile('clip_name', 'clip_vision')],
  outputs: [out1('CLIP_VISION')],
});
