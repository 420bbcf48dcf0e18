/**
 * ComfyUI's VAEEncodeForInpaint: the masked pixels are set to grey before encoding, and the mask (grown by a box
 * of `grow` pixels) becomes the latent's noise_mask at pixel resolution, as ComfyUI keeps it.
 */
import type { ModelCache } from '../model-cache';
import type { VaeHandle } from '../handles';
import type { ImageValue, LatentValue, MaskValue } from '../values';
import { bilinearPlanes, roundHalfEven } from '../image/torch-bilinear';
import { encodeImage, type DecodeOptions } from './vae-images';

export async function encodeForInpaint(
  models: ModelCache,
  vae: VaeHandle,
  pixels: ImageValue,
  mask: MaskValue,
  grow: number,
  o: DecodeOptions = {},
): Promise<LatentValue> {
  const [B, H, W, C] = pixels.shape;
  if (pixels.shape.length !== 4 || C < 3) throw new Error(`pixels: shape [${pixels.shape.join(', ')}], expected [batch, height, width, 3]`);
  const [mh, mw] = mask.shape.slice(-2);
  const mb = mask.data.length / (mh * mw);
  if (mb !== 1 && mb !== B) throw new Error(`mask: a batch of ${mb} masks for ${B} images (expected 1 or ${B})`);
  const x = Math.floor(H / 8) * 8;
  const y = Math.floor(W / 8) * 8;
  if (x === 0 || y === 0) throw new Error(`pixels: a ${W}x${H} image is smaller than 8 pixels`);
  const full = bilinearPlanes(mask.data, mb, mh, mw, H, W);
  // centred crop to a multiple of 8, pixels and mask alike
  const oy = Math.floor((H % 8) / 2);
  const ox = Math.floor((W % 8) / 2);
  const m = new Float32Array(mb * x * y);
  for (let b = 0; b < mb; b++)
    for (let r = 0; r < x; r++) m.set(full.subarray((b * H + r + oy) * W + ox, (b * H + r + oy) * W + ox + y), (b * x + r) * y);
  const rounded = m.map(roundHalfEven);
  const noise = grow === 0 ? m : growBox(rounded, mb, x, y, grow);
  const px = new Float32Array(B * x * y * 3);
  for (let b = 0; b < B; b++) {
    const mo = (mb === 1 ? 0 : b) * x * y;
    for (let r = 0; r < x; r++) {
      for (let c = 0; c < y; c++) {
        const keep = Math.fround(1 - rounded[mo + r * y + c]);
        const src = ((b * H + r + oy) * W + c + ox) * C;
        const dst = ((b * x + r) * y + c) * 3;
        for (let k = 0; k < 3; k++) px[dst + k] = Math.fround(Math.fround(Math.fround(pixels.data[src + k] - 0.5) * keep) + 0.5);
      }
    }
  }
  const latent = await encodeImage(models, vae, { shape: [B, x, y, 3], data: px }, o);
  return { ...latent, noise_mask: { shape: [mb, 1, x, y], data: noise.map(roundHalfEven) } };
}

/**
 * clamp(conv2d(mask, ones(k, k), padding=ceil((k − 1) / 2)), 0, 1), cropped back to the mask's size: a pixel is
 * masked when any masked pixel lies in the k×k box around it (the box is off-centre for even k, as in torch).
 */
function growBox(mask: Float32Array, n: number, h: number, w: number, k: number): Float32Array {
  const pad = Math.ceil((k - 1) / 2);
  const out = new Float32Array(n * h * w);
  for (let p = 0; p < n; p++) {
    // summed-area table: each box sum in O(1)
    const sat = new Float64Array((h + 1) * (w + 1));
    for (let r = 0; r < h; r++) {
      let row = 0;
      for (let c = 0; c < w; c++) {
        row += mask[(p * h + r) * w + c];
        sat[(r + 1) * (w + 1) + c + 1] = sat[r * (w + 1) + c + 1] + row;
      }
    }
    for (let r = 0; r < h; r++) {
      const r0 = Math.max(0, r - pad);
      const r1 = Math.min(h, r - pad + k);
      for (let c = 0; c < w; c++) {
        const c0 = Math.max(0, c - pad);
        const c1 = Math.min(w, c - pad + k);
        const s = r1 > r0 && c1 > c0 ? sat[r1 * (w + 1) + c1] - sat[r0 * (w + 1) + c1] - sat[r1 * (w + 1) + c0] + sat[r0 * (w + 1) + c0] : 0;
        out[(p * h + r) * w + c] = s > 0 ? 1 : 0;
      }
    }
  }
  return out;
}
