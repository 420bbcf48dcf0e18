/** Latent scale factors (ComfyUI `latent_formats`): process_latent_in/out are the caller's job. */

export type LatentFamily = 'sd1' | 'sdxl';

export const LATENT_SCALE: Record<LatentFamily, number> = { sd1: 0.18215, sdxl: 0.13025 };

/** VAE latent → model space (`process_latent_in`). */
export function processLatentIn(family: LatentFamily, latent: Float32Array): Float32Array {
  const s = LATENT_SCALE[family];
  return Float32Array.from(latent, (v) => v * s);
}

/** Model space → VAE latent (`process_latent_out`). */
export function processLatentOut(family: LatentFamily, latent: Float32Array): Float32Array {
  const s = LATENT_SCALE[family];
  return Float32Array.from(latent, (v) => v / s);
}
