import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'SaveImage',
  version: 1,
  title: 'Save Image',
  category: 'image',
  description: 'Saves images as PNG in output/ with the whole workflow embedded, so dropping the PNG on the canvas restores the graph.',
  inputs: [{ name: 'images', type: 'IMAGE' }],
  outputs: [],
  params: [{ name: 'filename_prefix', kind: 'text', default: 'LatentLoom' }],
  output: true,
};
