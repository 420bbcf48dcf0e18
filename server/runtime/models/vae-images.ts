/** ComfyUI VAEDecode / VAEEncode around the VAE runtime: layouts [B,H,W,3] 0..1 ↔ [B,3,H,W] −1..1. */
import type { ModelCache } from '../model-cache';
import type { ImageValue, LatentValue } from '../values';
import type { VaeHandle } from '../handles';
import { vaeFor } from './cached';

/** VAE-space latent (as LATENT carries it) → IMAGE clamp((x + 1) / 2, 0, 1), channels last. */
export async function decodeLatent(models: ModelCache, vae: VaeHandle, latent: LatentValue): Promise<ImageValue> {
  const runtime = await vaeFor(models, vae);
  const shape = latent.samples.shape;
  if (shape.length !== 4 || shape[1] !== runtime.config.embedDim) {
    throw new Error(`latent has shape [${shape.join(', ')}], this VAE takes [batch, ${runtime.config.embedDim}, height, width]`);
  }
  const img = await runtime.decode({ data: latent.samples.data, shape: [...shape] });
  const [b, c, h, w] = img.shape;
  const out = new Float32Array(b * h * w * 3);
  const plane = h * w;
  for (let n = 0; n < b; n++) {
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < 3; k++) {
        const v = (img.data[(n * c + k) * plane + p] + 1) / 2;
        out[(n * plane + p) * 3 + k] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
  return { shape: [b, h, w, 3], data: out };
}

/**
 * IMAGE → VAE-space latent: crop to a multiple of 8 centred (vae_encode_crop_pixels), x·2 − 1,
 * posterior mean (ComfyUI's encode is deterministic).
 */
export async function encodeImage(models: ModelCache, vae: VaeHandle, image: ImageValue): Promise<LatentValue> {
  const [b, h, w, ch] = image.shape;
  if (image.shape.length !== 4 || ch < 3) throw new Error(`image has shape [${image.shape.join(', ')}], expected [batch, height, width, 3]`);
  const H = Math.floor(h / 8) * 8;
  const W = Math.floor(w / 8) * 8;
  if (H === 0 || W === 0) throw new Error(`image ${w}x${h} is smaller than 8 pixels`);
  const y0 = Math.floor((h % 8) / 2);
  const x0 = Math.floor((w % 8) / 2);
  const data = new Float32Array(b * 3 * H * W);
  for (let n = 0; n < b; n++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const src = ((n * h + y + y0) * w + x + x0) * ch;
        for (let k = 0; k < 3; k++) data[((n * 3 + k) * H + y) * W + x] = image.data[src + k] * 2 - 1;
      }
    }
  }
  const runtime = await vaeFor(models, vae);
  const { mean } = await runtime.encode({ data, shape: [b, 3, H, W] });
  return { samples: { shape: [...mean.shape], data: mean.data } };
}
