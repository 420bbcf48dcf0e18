/** SDXL's `y` vector for a plain TextEncode conditioning (ComfyUI's sampling-time size defaults). */
import type { F32Tensor } from '../models';
import { defaultSdxlSizes, sdxlVector } from './sdxl-size-cond';

/** pooled ‖ size embeddings with size = 8 × the latent size, crop 0, target = size. */
export function sdxlAdm(pooled: F32Tensor, latentShape: readonly number[]): Float32Array {
  return sdxlVector(pooled, defaultSdxlSizes(latentShape));
}
