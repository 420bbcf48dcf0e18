import type { NodeSchema } from '../types';

/**
 * One node for ComfyUI's ModelMergeSimple/Add/Subtract/Blocks and CLIPMergeSimple.
 * weighted_sum: a*ratio + b*(1-ratio); add_difference: a + (b-c)*ratio; add: a + b;
 * subtract: a - b*ratio; blocks: weighted_sum with per-block ratios (model only).
 * Model and CLIP pairs are optional independently; the runner merges whichever pairs are linked.
 */
export const MERGE_MODES = ['weighted_sum', 'add_difference', 'add', 'subtract', 'blocks'] as const;
export type MergeMode = (typeof MERGE_MODES)[number];

export const schema: NodeSchema = {
  id: 'MergeCheckpoints',
  version: 1,
  title: 'Merge Checkpoints',
  category: 'model_merging',
  description: 'Merges two or three models (and/or text encoders) as a weight patch: weighted sum, add difference, add, subtract or per-block ratios.',
  inputs: [
    { name: 'model_a', type: 'MODEL', optional: true },
    { name: 'model_b', type: 'MODEL', optional: true },
    { name: 'model_c', type: 'MODEL', optional: true },
    { name: 'clip_a', type: 'CLIP', optional: true },
    { name: 'clip_b', type: 'CLIP', optional: true },
    { name: 'clip_c', type: 'CLIP', optional: true },
  ],
  outputs: [
    { name: 'model', type: 'MODEL' },
    { name: 'clip', type: 'CLIP' },
  ],
  params: [
    { name: 'mode', kind: 'select', options: MERGE_MODES, default: 'weighted_sum' },
    { name: 'model_ratio', kind: 'number', min: -10, max: 10, step: 0.01, default: 1, slider: true },
    { name: 'clip_ratio', kind: 'number', min: -10, max: 10, step: 0.01, default: 1, slider: true },
    { name: 'input_ratio', kind: 'number', min: 0, max: 1, step: 0.01, default: 1, description: 'blocks mode: ratio for input blocks' },
    { name: 'middle_ratio', kind: 'number', min: 0, max: 1, step: 0.01, default: 1, description: 'blocks mode: ratio for the middle block' },
    { name: 'out_ratio', kind: 'number', min: 0, max: 1, step: 0.01, default: 1, description: 'blocks mode: ratio for output blocks' },
  ],
};
