import type { NodeSchema } from '../types';

export const schema: NodeSchema = {
  id: 'LoadCheckpoint',
  version: 1,
  title: 'Load Checkpoint',
  category: 'loaders',
  description: 'Loads a Stable Diffusion checkpoint from models/checkpoints and splits it into its diffusion model, text encoder and VAE.',
  inputs: [],
  outputs: [
    { name: 'model', type: 'MODEL' },
    { name: 'clip', type: 'CLIP' },
    { name: 'vae', type: 'VAE' },
  ],
  params: [
    { name: 'file', kind: 'model', folder: 'checkpoints', default: '' },
    {
      name: 'prediction', kind: 'select', options: ['auto', 'eps', 'v_prediction'], default: 'auto',
      description: 'auto detects eps or v-prediction from the checkpoint; override when detection is wrong.',
    },
  ],
};
