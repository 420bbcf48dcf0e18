import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'LoadImage',
  version: 1,
  title: 'Load Image',
  category: 'image',
  description: 'Loads a PNG from the input/ folder as an RGB image in 0..1.',
  inputs: [],
  outputs: [{ name: 'image', type: 'IMAGE' }],
  params: [{ name: 'image', kind: 'image', default: '', accept: ['.png'] }],
};
