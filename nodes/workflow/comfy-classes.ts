/** How each supported ComfyUI class maps to a Latent Loom node. Data only; comfy-import.ts applies it. */
import type { ParamValue } from '../types';

export interface ComfyClassMap {
  type: string;
  /** ComfyUI output slot index → our output name (null: an output we do not have, e.g. LoadImage's MASK) */
  outputs: readonly (string | null)[];
  /** ComfyUI input name → our input name */
  inputs: Readonly<Record<string, string>>;
  /** widget order as in the UI format's widgets_values: [ComfyUI name, our param or null to skip] */
  widgets: readonly (readonly [string, string | null])[];
  /** params implied by the class (e.g. the merge mode) */
  fixed?: Readonly<Record<string, ParamValue>>;
  /** params whose ComfyUI value is the string enable/disable */
  enableFlags?: readonly string[];
}

const SAMPLER_WIDGETS = [
  ['steps', 'steps'], ['cfg', 'cfg'], ['sampler_name', 'sampler_name'], ['scheduler', 'scheduler'],
] as const;
const SAMPLER_INPUTS = { model: 'model', positive: 'positive', negative: 'negative', latent_image: 'latent_image' };

export const COMFY_CLASSES: Readonly<Record<string, ComfyClassMap>> = {
  CheckpointLoaderSimple: { type: 'LoadCheckpoint', outputs: ['model', 'clip', 'vae'], inputs: {}, widgets: [['ckpt_name', 'file']] },
  VAELoader: { type: 'LoadVAE', outputs: ['vae'], inputs: {}, widgets: [['vae_name', 'file']] },
  LoraLoader: {
    type: 'LoadLora', outputs: ['model', 'clip'], inputs: { model: 'model', clip: 'clip' },
    widgets: [['lora_name', 'file'], ['strength_model', 'strength_model'], ['strength_clip', 'strength_clip']],
  },
  CLIPTextEncode: { type: 'TextEncode', outputs: ['conditioning'], inputs: { clip: 'clip' }, widgets: [['text', 'text']] },
  CLIPTextEncodeSDXL: {
    type: 'CLIPTextEncodeSDXL', outputs: ['conditioning'], inputs: { clip: 'clip' },
    widgets: [
      ['width', 'width'], ['height', 'height'], ['crop_w', 'crop_w'], ['crop_h', 'crop_h'],
      ['target_width', 'target_width'], ['target_height', 'target_height'], ['text_g', 'text_g'], ['text_l', 'text_l'],
    ],
  },
  CLIPSetLastLayer: {
    type: 'CLIPSetLastLayer', outputs: ['clip'], inputs: { clip: 'clip' }, widgets: [['stop_at_clip_layer', 'stop_at_clip_layer']],
  },
  KSampler: {
    type: 'KSampler', outputs: ['latent'], inputs: SAMPLER_INPUTS,
    widgets: [['seed', 'seed'], ['control_after_generate', null], ...SAMPLER_WIDGETS, ['denoise', 'denoise']],
  },
  KSamplerAdvanced: {
    type: 'KSamplerAdvanced', outputs: ['latent'], inputs: SAMPLER_INPUTS,
    widgets: [
      ['add_noise', 'add_noise'], ['noise_seed', 'noise_seed'], ['control_after_generate', null], ...SAMPLER_WIDGETS,
      ['start_at_step', 'start_at_step'], ['end_at_step', 'end_at_step'], ['return_with_leftover_noise', 'return_with_leftover_noise'],
    ],
    enableFlags: ['add_noise', 'return_with_leftover_noise'],
  },
  EmptyLatentImage: {
    type: 'EmptyLatent', outputs: ['latent'], inputs: {},
    widgets: [['width', 'width'], ['height', 'height'], ['batch_size', 'batch_size']],
  },
  VAEDecode: { type: 'VAEDecode', outputs: ['image'], inputs: { samples: 'samples', vae: 'vae' }, widgets: [] },
  VAEEncode: { type: 'VAEEncode', outputs: ['latent'], inputs: { pixels: 'pixels', vae: 'vae' }, widgets: [] },
  SaveImage: { type: 'SaveImage', outputs: [], inputs: { images: 'images' }, widgets: [['filename_prefix', 'filename_prefix']] },
  PreviewImage: { type: 'PreviewImage', outputs: [], inputs: { images: 'images' }, widgets: [] },
  LoadImage: { type: 'LoadImage', outputs: ['image', null], inputs: {}, widgets: [['image', 'image'], ['upload', null]] },
  ModelMergeSimple: {
    type: 'MergeCheckpoints', outputs: ['model'], inputs: { model1: 'model_a', model2: 'model_b' },
    widgets: [['ratio', 'model_ratio']], fixed: { mode: 'weighted_sum' },
  },
  ModelMergeAdd: {
    type: 'MergeCheckpoints', outputs: ['model'], inputs: { model1: 'model_a', model2: 'model_b' }, widgets: [], fixed: { mode: 'add' },
  },
  ModelMergeSubtract: {
    type: 'MergeCheckpoints', outputs: ['model'], inputs: { model1: 'model_a', model2: 'model_b' },
    widgets: [['multiplier', 'model_ratio']], fixed: { mode: 'subtract' },
  },
  ModelMergeBlocks: {
    type: 'MergeCheckpoints', outputs: ['model'], inputs: { model1: 'model_a', model2: 'model_b' },
    widgets: [['input', 'input_ratio'], ['middle', 'middle_ratio'], ['out', 'out_ratio']], fixed: { mode: 'blocks' },
  },
  CLIPMergeSimple: {
    type: 'MergeCheckpoints', outputs: ['clip'], inputs: { clip1: 'clip_a', clip2: 'clip_b' },
    widgets: [['ratio', 'clip_ratio']], fixed: { mode: 'weighted_sum' },
  },
  CheckpointSave: {
    type: 'SaveCheckpoint', outputs: [], inputs: { model: 'model', clip: 'clip', vae: 'vae' }, widgets: [['filename_prefix', 'filename_prefix']],
  },
  LoadLatent: { type: 'LoadLatent', outputs: ['latent'], inputs: {}, widgets: [['latent', 'latent']] },
  SaveLatent: { type: 'SaveLatent', outputs: [], inputs: { samples: 'samples' }, widgets: [['filename_prefix', 'filename_prefix']] },
  ModelSamplingDiscrete: {
    type: 'ModelSamplingDiscrete', outputs: ['model'], inputs: { model: 'model' }, widgets: [['sampling', 'sampling'], ['zsnr', 'zsnr']],
  },
};

/** Classes with no effect on execution, dropped silently. */
export const COMFY_IGNORED = new Set(['Note', 'MarkdownNote']);
