/**
 * A latent's noise_mask during sampling, as ComfyUI does it: comfy.utils.reshape_mask prepares the mask on the
 * latent's shape, and KSamplerX0Inpaint keeps the unmasked area on the original latent at every step: the model
 * sees x·m + noise_scaling(σ, noise, latent)·(1 − m) and its prediction becomes out·m + latent·(1 − m).
 */
import type { FloatTensor } from '../values';
import { bilinearPlanes } from '../image/torch-bilinear';
import type { ModelSamplingDiscrete } from './model-sampling';
import { guidedDenoiser, type Denoiser } from './samplers/types';

/** comfy.utils.reshape_mask(noise_mask, shape) for 2-D latents: bilinear to [h, w], channels and batch repeated. */
export function prepareDenoiseMask(mask: FloatTensor, shape: readonly number[]): FloatTensor {
  const [B, C, h, w] = shape;
  const [mh, mw] = mask.shape.slice(-2);
  if (!(mh >= 1 && mw >= 1) || mask.data.length % (mh * mw) !== 0) throw new Error(`noise_mask: shape [${mask.shape.join(', ')}] is not a mask`);
  const n = mask.data.length / (mh * mw);
  const planes = bilinearPlanes(mask.data, n, mh, mw, h, w);
  const data = new Float32Array(B * C * h * w);
  // repeat_to_batch_size: whole repeats, cut to B
  for (let b = 0; b < B; b++) {
    const src = planes.subarray((b % n) * h * w, ((b % n) + 1) * h * w);
    for (let c = 0; c < C; c++) data.set(src, (b * C + c) * h * w);
  }
  return { shape: [B, C, h, w], data };
}

/** KSamplerX0Inpaint around a denoiser; `latent` in model space, `noise` the initial (unscaled) noise. */
export function maskedDenoiser(inner: Denoiser, ms: ModelSamplingDiscrete, mask: Float32Array, latent: Float32Array, noise: Float32Array): Denoiser {
  const n = latent.length;
  if (mask.length !== n || noise.length !== n)
    throw new Error(`denoise mask (${mask.length}), latent (${n}) and noise (${noise.length}) must have the same size`);
  const f = Math.fround;
  const keep = Float32Array.from(mask, (m) => f(1 - m));
  const input = (x: Float32Array, sigma: number): Float32Array => {
    const scaled = ms.noiseScaling(sigma, noise, latent);
    return Float32Array.from(x, (v, i) => f(f(v * mask[i]) + f(scaled[i] * keep[i])));
  };
  const blend = (out: Float32Array): Float32Array => Float32Array.from(out, (v, i) => f(f(v * mask[i]) + f(latent[i] * keep[i])));
  const denoise = async (x: Float32Array, sigma: number) => blend(await inner(input(x, sigma), sigma));
  const withUncond = inner.withUncond;
  if (!withUncond) return denoise;
  return guidedDenoiser(denoise, async (x, sigma) => {
    const r = await withUncond(input(x, sigma), sigma);
    return { ...r, denoised: blend(r.denoised) };
  });
}
