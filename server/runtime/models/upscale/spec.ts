/** What a loaded upscale model is, as the runner and the handle need it (plain data, derived from tensor shapes). */
import type { UpscaleArch } from './rules';
import type { RRDBConfig } from './rrdb';
import type { CompactConfig } from './compact';
import type { SwinIRConfig } from './swinir';

export type UpscaleConfig = { arch: 'ESRGAN'; net: RRDBConfig } | { arch: 'Compact'; net: CompactConfig } | { arch: 'SwinIR'; net: SwinIRConfig };

export interface UpscaleSpec {
  arch: UpscaleArch;
  config: UpscaleConfig;
  /** output size / input size (spandrel's descriptor.scale) */
  scale: number;
  /** image channels the model takes and gives */
  inChannels: number;
  outChannels: number;
  /** spandrel's descriptor SizeRequirements, padded for before the model (absent: none) */
  sizeReq?: { minimum: number; multipleOf: number };
  /** then, as the model's own forward does: the image is reflect-padded at bottom/right to a multiple of this (1: none) */
  padMultiple: number;
  /** then pixel-unshuffled by this factor (Real-ESRGAN x2 / x1; 1: none) */
  unshuffle: number;
  /** short description: "ESRGAN 64nf 23nb x4" */
  tags: string[];
}
