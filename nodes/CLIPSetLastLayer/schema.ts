import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'CLIPSetLastLayer',
  version: 1,
  title: 'CLIP Set Last Layer',
  category: 'conditioning',
  description: 'Stops the text encoder early ("clip skip"): -1 is the last layer, -2 the one before it.',
  inputs: [{ name: 'clip', type: 'CLIP' }],
  outputs: [{ name: 'clip', type: 'CLIP' }],
  params: [{ name: 'stop_at_clip_layer', kind: 'int', min: -24, max: -1, step: 1, default: -1 }],
};
