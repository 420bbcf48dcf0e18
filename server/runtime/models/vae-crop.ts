import type { F32Tensor } from './index';

/**
 * ComfyUI's VAE.vae_encode_crop_pixels: an image whose sides are not multiples of the VAE's downscale factor is
 * cropped to the largest multiple, centred (offset (size mod factor) div 2), before encoding. Without it the
 * stride-2 convs would floor the odd sizes and the latent would cover a different area than ComfyUI's.
 * image [B, C, H, W]; returns the input itself when nothing needs cropping.
 */
export function cropForEncode(image: F32Tensor, factor: number): F32Tensor {
  if (image.shape.length !== 4) throw new Error(`vae encode: image has shape [${image.shape.join(', ')}], expected [batch, channels, height, width]`);
  const [b, c, h, w] = image.shape;
  const H = Math.floor(h / factor) * factor;
  const W = Math.floor(w / factor) * factor;
  if (H === 0 || W === 0) throw new Error(`vae encode: image ${w}x${h} is smaller than the VAE's ${factor}-pixel downscale factor`);
  if (H === h && W === w) return image;
  const y0 = Math.floor((h % factor) / 2);
  const x0 = Math.floor((w % factor) / 2);
  const data = new Float32Array(b * c * H * W);
  for (let plane = 0; plane < b * c; plane++) {
    for (let y = 0; y < H; y++) {
      const src = (plane * h + y + y0) * w + x0;
      data.set(image.data.subarray(src, src + W), (plane * H + y) * W);
    }
  }
  return { data, shape: [b, c, H, W] };
}
