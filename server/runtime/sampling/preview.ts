/**
 * Cheap latent → RGB previews (ComfyUI `Latent2RGBPreviewer`): one linear map per latent family
 * (`latent_formats` `latent_rgb_factors` / `_bias`), applied per latent pixel, so the image is
 * latent-sized (1/8 of the final resolution). Input is the x0 estimate the sampler callback gives.
 */
import type { LatentFamily } from './latent-format';

/** [channel][R,G,B]. */
const RGB_FACTORS: Record<LatentFamily, readonly (readonly [number, number, number])[]> = {
  sd1: [
    [0.3512, 0.2297, 0.3227],
    [0.325, 0.4974, 0.235],
    [-0.2829, 0.1762, 0.2721],
    [-0.212, -0.2616, -0.7177],
  ],
  sdxl: [
    [0.3651, 0.4232, 0.4341],
    [-0.2533, -0.0042, 0.1068],
    [0.1076, 0.1111, -0.0362],
    [-0.3165, -0.2492, -0.2188],
  ],
};
const RGB_BIAS: Record<LatentFamily, readonly [number, number, number]> = {
  sd1: [0, 0, 0],
  sdxl: [0.1084, -0.0175, -0.0011],
};

export interface PreviewImage {
  width: number;
  height: number;
  /** Interleaved RGB, row-major, 3·width·height bytes. */
  rgb: Uint8Array;
}

/**
 * Preview of batch item `index` of a latent laid out [B, C, H, W].
 * Byte = trunc(clamp((v + 1)/2, 0, 1)·255), torch's float → uint8 cast.
 */
export function latentPreview(family: LatentFamily, latent: Float32Array, shape: readonly number[], index = 0): PreviewImage {
  const [, channels, height, width] = shape;
  const factors = RGB_FACTORS[family];
  if (channels !== factors.length) throw new Error(`${family} preview expects ${factors.length} latent channels, got ${channels}`);
  const plane = height * width;
  const base = index * channels * plane;
  const bias = RGB_BIAS[family];
  const rgb = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let k = 0; k < 3; k++) {
      let v = bias[k];
      for (let c = 0; c < channels; c++) v += latent[base + c * plane + p] * factors[c][k];
      const u = Math.min(Math.max((v + 1) / 2, 0), 1);
      rgb[p * 3 + k] = Math.trunc(u * 255);
    }
  }
  return { width, height, rgb };
}
