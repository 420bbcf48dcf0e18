/** Run-time checks of socket values (server): the scheduler checks every input before a node runs. */
import {
  isClipHandle,
  isClipVisionHandle,
  isClipVisionOutput,
  isConditioning,
  isControlNetHandle,
  isGligenHandle,
  isModelHandle,
  isStyleModelHandle,
  isUpscaleModelHandle,
  isVaeHandle,
} from '../server/runtime/handles';
import { isImage, isLatent, isMask } from '../server/runtime/values';
import type { SocketType } from './types';
import { isNoiseSpec, isSamplerSpec, isSigmas } from '../server/runtime/sampling/socket-values';
import { isGuider } from '../server/runtime/sampling/guider-value';

const GUARDS: Readonly<Record<SocketType, (v: unknown) => boolean>> = {
  MODEL: isModelHandle,
  CLIP: isClipHandle,
  VAE: isVaeHandle,
  CONDITIONING: isConditioning,
  LATENT: isLatent,
  IMAGE: isImage,
  MASK: isMask,
  INT: (v) => typeof v === 'number' && Number.isInteger(v),
  FLOAT: (v) => typeof v === 'number' && Number.isFinite(v),
  STRING: (v) => typeof v === 'string',
  BOOLEAN: (v) => typeof v === 'boolean',
  COMBO: (v) => typeof v === 'string',
  SIGMAS: isSigmas,
  SAMPLER: isSamplerSpec,
  NOISE: isNoiseSpec,
  GUIDER: isGuider,
  UPSCALE_MODEL: isUpscaleModelHandle,
  CONTROL_NET: isControlNetHandle,
  CLIP_VISION: isClipVisionHandle,
  CLIP_VISION_OUTPUT: isClipVisionOutput,
  STYLE_MODEL: isStyleModelHandle,
  GLIGEN: isGligenHandle,
  '*': (v) => v !== undefined,
};

export function socketValueOk(type: SocketType, value: unknown): boolean {
  return GUARDS[type](value);
}

/** A short description of a value for error messages ("a LATENT", "the number 3", ...). */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v !== 'object') return `${typeof v} ${JSON.stringify(v)}`;
  for (const t of ['MODEL', 'CLIP', 'VAE', 'CONDITIONING', 'LATENT', 'IMAGE', 'MASK', 'SIGMAS', 'SAMPLER', 'NOISE', 'GUIDER'] as const)
    if (GUARDS[t](v)) return `a ${t}`;
  return 'an object of another kind';
}
