/**
 * Sampling with a LATENT's noise_mask, as ComfyUI: `comfy.utils.reshape_mask` brings the mask to the latent's shape
 * (bilinear, channels and batch repeated) and `KSamplerX0Inpaint` wraps the guider so that where the mask is 0 the
 * original latent is kept: before each model call x = x·m + (noise·σ + latent)·(1 − m), after it
 * denoised = denoised·m + latent·(1 − m). Float32 step by step, as torch computes it.
 */
import { bilinearPlanes } from '../image/torch-bilinear';
import type { FloatTensor } from '../values';
import type { ModelSamplingDiscrete } from './model-sampling';
import { guidedDenoiser, type Denoiser, type GuidedPrediction } from './samplers/types';

const f = Math.fround;

/** ComfyUI's `reshape_mask(noise_mask, latent.shape)`: any [.., h, w] mask → [B, C, H, W] of the latent. */
export function prepareDenoiseMask(mask: FloatTensor, latentShape: readonly number[]): Float32Array {
  if (latentShape.length !== 4) throw new Error(`latent has shape [${latentShape.join(', ')}], expected [batch, channels, height, width]`);
  const [batch, channels, height, width] = latentShape;
  if (mask.shape.length < 2) throw new Error(`noise_mask has shape [${mask.shape.join(', ')}], expected [..., height, width]`);
  const mh = mask.shape[mask.shape.length - 2];
  const mw = mask.shape[mask.shape.length - 1];
  const planes = mh * mw === 0 ? 0 : mask.data.length / (mh * mw);
  if (!Number.isInteger(planes) || planes < 1 || mask.data.length !== mask.shape.reduce((a, b) => a * b, 1)) {
    throw new Error(`noise_mask has shape [${mask.shape.join(', ')}] and ${mask.data.length} values: not a stack of ${mh}x${mw} masks`);
  }
  const resized = bilinearPlanes(mask.data, planes, mh, mw, height, width);
  const plane = height * width;
  const out = new Float32Array(batch * channels * plane);
  for (let b = 0; b < batch; b++) {
    // repeat_to_batch_size: row b takes mask b mod planes (the first `batch` when there are more)
    const src = resized.subarray((b % planes) * plane, ((b % planes) + 1) * plane);
    for (let c = 0; c < channels; c++) out.set(src, (b * channels + c) * plane);
  }
  return out;
}

export interface InpaintOptions {
  modelSampling: ModelSamplingDiscrete;
  /** the prepared mask (prepareDenoiseMask), 1 = sample, 0 = keep */
  mask: Float32Array;
  /** the sampling run's initial noise (unscaled) and its start latent (model space) */
  noise: Float32Array;
  latent: Float32Array;
}

/** KSamplerX0Inpaint around a guider's denoiser (its uncond prediction, for CFG++ samplers, is passed through). */
export function inpaintDenoiser(inner: Denoiser, o: InpaintOptions): Denoiser {
  const n = o.latent.length;
  if (o.mask.length !== n || o.noise.length !== n)
    throw new Error(`inpaint: mask (${o.mask.length}), noise (${o.noise.length}) and latent (${n}) sizes differ`);
  const keep = Float32Array.from(o.mask, (m) => f(1 - m));
  const blendIn = (x: Float32Array, sigma: number): Float32Array => {
    const scaled = o.modelSampling.noiseScaling(sigma, o.noise, o.latent);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = f(f(x[i] * o.mask[i]) + f(scaled[i] * keep[i]));
    return out;
  };
  const blendOut = (d: Float32Array): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = f(f(d[i] * o.mask[i]) + f(o.latent[i] * keep[i]));
    return out;
  };
  const denoise = async (x: Float32Array, sigma: number) => blendOut(await inner(blendIn(x, sigma), sigma));
  const withUncond = inner.withUncond;
  if (!withUncond) return denoise;
  return guidedDenoiser(denoise, async (x, sigma): Promise<GuidedPrediction> => {
    const r = await withUncond(blendIn(x, sigma), sigma);
    return { denoised: blendOut(r.denoised), uncondDenoised: r.uncondDenoised };
  });
}
