/** Combo options the image and latent schemas share, spelled as ComfyUI spells them (pure data: schemas import it). */
export const LATENT_UPSCALE_METHODS = ['nearest-exact', 'bilinear', 'area', 'bicubic', 'bislerp'] as const;
export const IMAGE_UPSCALE_METHODS = ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos'] as const;
export const CROP_METHODS = ['disabled', 'center'] as const;
