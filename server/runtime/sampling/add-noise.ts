/** ComfyUI's AddNoise node (nodes_custom_sampler.py): a latent noised to the level its SIGMAS span, no model call. */
import type { ModelHandle } from '../handles';
import type { LatentValue } from '../values';
import { processLatentIn, processLatentOut } from './latent-format';
import { generateNoise, type NoiseSpec } from './noise';
import { modelSamplingOf } from './socket-values';

const f = Math.fround;

/** noise·|σ0 − σlast| (σ0 for one sigma) + latent in model space; an all-zero latent is not shifted; NaN/±∞ become 0. */
export function addNoise(model: ModelHandle, noise: NoiseSpec, sigmas: Float32Array, latent: LatentValue): LatentValue {
  if (sigmas.length === 0) return latent;
  const shape = latent.samples.shape;
  const noisy = generateNoise(noise, shape, latent.batch_index);
  const scale = sigmas.length > 1 ? Math.abs(f(sigmas[0] - sigmas[sigmas.length - 1])) : sigmas[0];
  const src = latent.samples.data;
  const start = src.some((v) => v !== 0) ? processLatentIn(model.latent, src) : src;
  const out = processLatentOut(model.latent, modelSamplingOf(model).noiseScaling(scale, noisy, start));
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) out[i] = 0;
  return { ...latent, samples: { shape: [...shape], data: out } };
}
