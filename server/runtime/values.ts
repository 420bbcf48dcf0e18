/** Tensor values on IMAGE / MASK / LATENT sockets, in ComfyUI's layouts. MODEL/CLIP/VAE/CONDITIONING are handles (handles.ts). */
export interface FloatTensor {
  shape: number[];
  data: Float32Array;
}
/** LATENT: VAE-space latents (unscaled, as ComfyUI keeps them), shape [B, C, H/8, W/8], plus ComfyUI's optional fields. */
export interface LatentValue {
  samples: FloatTensor;
  /** SetLatentNoiseMask / VAEEncodeForInpaint: [B or 1, 1, h, w] or [h, w] in 0..1; the sampler keeps where it is 0 */
  noise_mask?: FloatTensor;
  /** LatentFromBatch: which noise seeds (per-sample indices) these samples take */
  batch_index?: number[];
}
/** IMAGE: RGB in 0..1, shape [B, H, W, 3] (ComfyUI's layout). */
export type ImageValue = FloatTensor;
/** MASK: [B, H, W] (or [H, W]) in 0..1. */
export type MaskValue = FloatTensor;

export function isFloatTensor(v: unknown): v is FloatTensor {
  return typeof v === 'object' && v !== null && Array.isArray((v as FloatTensor).shape) && (v as FloatTensor).data instanceof Float32Array;
}
export function isLatent(v: unknown): v is LatentValue {
  return typeof v === 'object' && v !== null && isFloatTensor((v as LatentValue).samples);
}
export const isImage = (v: unknown): v is ImageValue => isFloatTensor(v) && v.shape.length === 4 && v.shape[3] >= 1 && v.shape[3] <= 4;
export const isMask = (v: unknown): v is MaskValue => isFloatTensor(v) && (v.shape.length === 3 || v.shape.length === 2);
