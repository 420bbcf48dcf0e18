import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'LoadLora',
  version: 1,
  title: 'Load LoRA',
  category: 'loaders',
  description: 'Applies a LoRA from models/loras to a model and its text encoder as a weight patch.',
  inputs: [
    { name: 'model', type: 'MODEL' },
    { name: 'clip', type: 'CLIP' },
  ],
  outputs: [
    { name: 'model', type: 'MODEL' },
    { name: 'clip', type: 'CLIP' },
  ],
  params: [
    { name: 'file', kind: 'model', folder: 'loras', default: '' },
    { name: 'strength_model', kind: 'number', min: -100, max: 100, step: 0.01, default: 1, slider: true },
    { name: 'strength_clip', kind: 'number', min: -100, max: 100, step: 0.01, default: 1, slider: true },
  ],
};
