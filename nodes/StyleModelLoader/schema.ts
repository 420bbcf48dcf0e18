import { defineSchema, modelFile, out1 } from '../define';

export const schema = defineSchema({
  id: 'StyleModelLoader',
  version: 1,
  title: 'Load Style Model',
  category: 'loaders',
  description: 'Loads a T2I style adapter (t2iadapter_style) from models/style_models.',
  io: [modelFile('style_model_name', 'style_models')],
  outputs: [out1('STYLE_MODEL')],
});
