import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'PreviewImage',
  version: 1,
  title: 'Preview Image',
  category: 'image',
  description: 'Shows images without keeping them (written to a temporary folder under output/).',
  inputs: [{ name: 'images', type: 'IMAGE' }],
  outputs: [],
  params: [],
  output: true,
};
