/**
 * ComfyUI's BaseModel.concat_cond for inpainting UNets (concat_keys "mask", "masked_image"): the extra input channels
 * [mask (1), masked latent image (C)] concatenated to the scaled noisy latent at every model call.
 */
import type { FloatTensor } from '../values';
import { roundHalfEven } from '../image/torch-bilinear';
import { commonUpscale, pyRound } from '../image/common-upscale';
import { processLatentIn, type LatentFamily } from './latent-format';

/** ComfyUI's blank_inpaint_image_like: "zero" in pixel space, as latents (the same four numbers for every family) */
const BLANK_LATENT = [0.8223, -0.6876, 0.6364, 0.138];

/** comfy.utils.resize_to_batch_size: spread (or pick) rows to `batch` rows. */
export function resizeToBatchSize(t: FloatTensor, batch: number): FloatTensor {
  const inB = t.shape[0];
  if (inB === batch) return t;
  const per = t.data.length / inB;
  const pick = (i: number): number => {
    if (batch <= 1) return i;
    if (batch < inB) return Math.min(pyRound((i * (inB - 1)) / (batch - 1)), inB - 1);
    return Math.min(Math.floor((i + 0.5) * (inB / batch)), inB - 1);
  };
  const data = new Float32Array(batch * per);
  for (let i = 0; i < batch; i++) data.set(t.data.subarray(pick(i) * per, (pick(i) + 1) * per), i * per);
  return { shape: [batch, ...t.shape.slice(1)], data };
}

/** A mask as [n, h, w] planes (ComfyUI: reshape((-1, 1, h, w)) of its first channel when it has as many dims as the noise). */
function maskPlanes(mask: FloatTensor, noiseDims: number): { data: Float32Array; n: number; h: number; w: number } {
  const [h, w] = mask.shape.slice(-2);
  if (mask.shape.length === noiseDims && mask.shape[1] > 1) {
    const [b, c] = mask.shape;
    const data = new Float32Array(b * h * w);
    for (let i = 0; i < b; i++) data.set(mask.data.subarray(i * c * h * w, i * c * h * w + h * w), i * h * w);
    return { data, n: b, h, w };
  }
  return { data: mask.data, n: mask.data.length / (h * w), h, w };
}

/** common_upscale(t, w, h, "bilinear", "center"), skipped when the size already matches (as ComfyUI does) */
function upscaleCenter(t: FloatTensor, width: number, height: number): FloatTensor {
  const [, , h, w] = t.shape;
  return h === height && w === width ? t : commonUpscale(t, 'nchw', width, height, 'bilinear', 'center');
}

export interface ConcatArgs {
  /** the sampled latent's shape [B, C, h, w] (ComfyUI's noise) */
  shape: readonly number[];
  family: LatentFamily;
  /** the entry's concat_latent_image: [B, C, h, w], VAE space (process_latent_in is applied here, as ComfyUI does) */
  concatLatentImage?: FloatTensor;
  /** the entry's concat_mask: [B, 1, H, W] (or [B, H, W]) in 0..1 */
  concatMask?: FloatTensor;
  /** names the entry in errors */
  label: string;
  /** the sampler's latent image, model space (process_latent_in applied) */
  latentImage: Float32Array;
  /** the latent's noise_mask prepared as the sampler's denoise_mask (reshape_mask to `shape`) */
  denoiseMask?: FloatTensor;
}

/** c_concat [B, 1 + C, h, w] for one conditioning entry. */
export function inpaintConcat(a: ConcatArgs): Float32Array {
  const [B, C, h, w] = a.shape;
  const plane = h * w;
  const out = new Float32Array(B * (1 + C) * plane);
  const rawMask = a.concatMask ?? a.denoiseMask;
  if (!rawMask) {
    // neither concat inputs nor a noise mask: a mask of ones and the blank image
    for (let b = 0; b < B; b++) {
      out.fill(1, b * (1 + C) * plane, (b * (1 + C) + 1) * plane);
      for (let c = 0; c < C; c++) out.fill(Math.fround(BLANK_LATENT[c] ?? 1), (b * (1 + C) + 1 + c) * plane, (b * (1 + C) + 2 + c) * plane);
    }
    return out;
  }
  let image: FloatTensor = a.concatLatentImage
    ? { shape: [...a.concatLatentImage.shape], data: processLatentIn(a.family, a.concatLatentImage.data) }
    : { shape: [...a.shape], data: a.latentImage };
  if (image.shape.length !== 4 || image.shape[1] !== C)
    throw new Error(`${a.label}: concat_latent_image [${image.shape.join(', ')}] does not have the ${C} channels of the latent`);
  image = resizeToBatchSize(upscaleCenter(image, w, h), B);
  const m = maskPlanes(rawMask, 4);
  let mask: FloatTensor = upscaleCenter({ shape: [m.n, 1, m.h, m.w], data: m.data }, w, h);
  mask = resizeToBatchSize({ shape: mask.shape, data: mask.data.map(roundHalfEven) }, B);
  for (let b = 0; b < B; b++) {
    out.set(mask.data.subarray(b * plane, (b + 1) * plane), b * (1 + C) * plane);
    out.set(image.data.subarray(b * C * plane, (b + 1) * C * plane), (b * (1 + C) + 1) * plane);
  }
  return out;
}
