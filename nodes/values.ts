/** Values that travel on sockets the engine itself understands. MODEL/CLIP/VAE/CONDITIONING are runtime handles. */
export interface FloatTensor {
  shape: number[];
  data: Float32Array;
}
/** LATENT: VAE-space latents (unscaled, as ComfyUI keeps them), shape [B, C, H/8, W/8]. */
export interface LatentValue {
  samples: FloatTensor;
}
/** IMAGE: RGB in 0..1, shape [B, H, W, 3] (ComfyUI's layout). */
export type ImageValue = FloatTensor;

export function isFloatTensor(v: unknown): v is FloatTensor {
  return typeof v === 'object' && v !== null && Array.isArray((v as FloatTensor).shape) && (v as FloatTensor).data instanceof Float32Array;
}
export function isLatent(v: unknown): v is LatentValue {
  return typeof v === 'object' && v !== null && isFloatTensor((v as LatentValue).samples);
}
