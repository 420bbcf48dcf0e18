/**
 * ComfyUI's InpaintModelConditioning: the image with the masked area greyed out is encoded as the conditioning's
 * concat latent (what an inpainting UNet's extra channels see), the mask resized to the image goes along as
 * concat_mask, and the untouched image's latent is the output latent (with the mask as its noise_mask if asked).
 */
import type { ModelCache } from '../model-cache';
import type { Conditioning, VaeHandle } from '../handles';
import type { ImageValue, LatentValue, MaskValue } from '../values';
import { bilinearPlanes, roundHalfEven } from '../image/torch-bilinear';
import { encodeImage, type DecodeOptions } from './vae-images';
import { setValues } from '../conditioning/ops';

export interface InpaintConditioningResult {
  positive: Conditioning;
  negative: Conditioning;
  latent: LatentValue;
}

export async function inpaintModelConditioning(
  models: ModelCache,
  vae: VaeHandle,
  positive: Conditioning,
  negative: Conditioning,
  pixels: ImageValue,
  mask: MaskValue,
  noiseMask: boolean,
  o: DecodeOptions = {},
): Promise<InpaintConditioningResult> {
  const [B, H, W, C] = pixels.shape;
  if (pixels.shape.length !== 4 || C < 3) throw new Error(`pixels: shape [${pixels.shape.join(', ')}], expected [batch, height, width, 3]`);
  const x = Math.floor(H / 8) * 8;
  const y = Math.floor(W / 8) * 8;
  if (x === 0 || y === 0) throw new Error(`pixels: a ${W}x${H} image is smaller than 8 pixels`);
  const [mh, mw] = mask.shape.slice(-2);
  if (!(mh >= 1 && mw >= 1)) throw new Error(`mask: shape [${mask.shape.join(', ')}] has no pixels`);
  const mb = mask.data.length / (mh * mw);
  // the greyed pixels broadcast the mask batch over the image batch, as torch does
  if (mb !== 1 && mb !== B) throw new Error(`mask: a batch of ${mb} masks for ${B} images (expected 1 or ${B})`);
  // a mask of another size is resized to the image (bilinear), as ComfyUI does
  const full = bilinearPlanes(mask.data, mb, mh, mw, H, W);
  const oy = Math.floor((H % 8) / 2);
  const ox = Math.floor((W % 8) / 2);
  const m = new Float32Array(mb * x * y);
  for (let b = 0; b < mb; b++)
    for (let r = 0; r < x; r++) m.set(full.subarray((b * H + r + oy) * W + ox, (b * H + r + oy) * W + ox + y), (b * x + r) * y);
  const grey = new Float32Array(B * x * y * 3);
  for (let b = 0; b < B; b++) {
    const mo = (mb === 1 ? 0 : b) * x * y;
    for (let r = 0; r < x; r++) {
      for (let c = 0; c < y; c++) {
        const keep = Math.fround(1 - roundHalfEven(m[mo + r * y + c]));
        const src = ((b * H + r + oy) * W + c + ox) * C;
        const dst = ((b * x + r) * y + c) * 3;
        for (let k = 0; k < 3; k++) grey[dst + k] = Math.fround(Math.fround(Math.fround(pixels.data[src + k] - 0.5) * keep) + 0.5);
      }
    }
  }
  const concatLatent = await encodeImage(models, vae, { shape: [B, x, y, 3], data: grey }, o);
  const original = await encodeImage(models, vae, C === 3 ? pixels : rgbOnly(pixels), o);
  const maskOut = { shape: [mb, 1, x, y], data: m };
  // conditioning_set_values on every entry: both lists share the tensors (their c_concat is computed once)
  const values = { concatLatentImage: concatLatent.samples, concatMask: maskOut };
  return {
    positive: setValues(positive, values),
    negative: setValues(negative, values),
    latent: noiseMask ? { samples: original.samples, noise_mask: maskOut } : { samples: original.samples },
  };
}

/** the first three channels of an image with alpha (the VAE encodes RGB) */
function rgbOnly(img: ImageValue): ImageValue {
  const [B, H, W, C] = img.shape;
  const data = new Float32Array(B * H * W * 3);
  for (let i = 0; i < B * H * W; i++) for (let k = 0; k < 3; k++) data[i * 3 + k] = img.data[i * C + k];
  return { shape: [B, H, W, 3], data };
}
