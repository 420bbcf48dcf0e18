/** ComfyUI's .latent conventions (nodes.py SaveLatent / LoadLatent). */
export const LATENT_KEY = 'latent_tensor';
/** present (as an empty tensor) in files written by current ComfyUI; absent in old ones, which held scaled latents */
export const LATENT_MARKER = 'latent_format_version_0';
/** SD1's VAE scale factor: old files are multiplied by 1/0.18215 on load, exactly as ComfyUI does */
export const LEGACY_LATENT_SCALE = 1 / 0.18215;
