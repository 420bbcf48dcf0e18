/** Runtime values of the custom-sampling sockets: SIGMAS, SAMPLER (a SamplerSpec), NOISE (a NoiseSpec). */
import type { ModelHandle } from '../handles';
import { ModelSamplingDiscrete } from './model-sampling';
import type { SamplerSpec } from './custom-sample';
import type { NoiseSpec } from './noise';
import { isSamplerName } from './samplers';

/** ComfyUI's SIGMAS: the noise levels, first to last (the last is usually 0). */
export interface SigmasValue {
  readonly kind: 'sigmas';
  readonly sigmas: Float32Array;
}

export const sigmasValue = (sigmas: Float32Array): SigmasValue => ({ kind: 'sigmas', sigmas });

export const isSigmas = (v: unknown): v is SigmasValue =>
  typeof v === 'object' && v !== null && (v as SigmasValue).kind === 'sigmas' && (v as SigmasValue).sigmas instanceof Float32Array;

export const isSamplerSpec = (v: unknown): v is SamplerSpec =>
  typeof v === 'object' && v !== null && typeof (v as SamplerSpec).name === 'string' && isSamplerName((v as SamplerSpec).name);

export const isNoiseSpec = (v: unknown): v is NoiseSpec => {
  const k = typeof v === 'object' && v !== null ? (v as { kind?: unknown }).kind : undefined;
  return k === 'disabled' || (k === 'random' && ['number', 'bigint'].includes(typeof (v as { seed?: unknown }).seed));
};

/** The model's noise schedule as its handle says (ModelSamplingDiscrete overrides included). */
export function modelSamplingOf(model: ModelHandle): ModelSamplingDiscrete {
  return new ModelSamplingDiscrete(model.sampling?.type ?? model.prediction, { zsnr: model.sampling?.zsnr ?? false });
}
