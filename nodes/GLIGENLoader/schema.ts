import { defineSchema, modelFile, out1 } from '../define';

export const schema = defineSchema({
  id: 'GLIGENLoader',
  version: 1,
  title: 'GLIGENLoader',
  category: 'loaders',
  description: 'Loads a GLIGEN textbox model (position net + gated self-attention per transformer) from models/gligen.',
  io: [modelFile('gligen_name', 'gligen')],
  outputs: [out1('GLIGEN')],
});
