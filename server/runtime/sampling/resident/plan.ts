/**
 * Whether a KSampler run goes resident (sample.ts) or through the host loop, and with which model-call inputs.
 * Resident runs are exactly the runs whose every step is one [uncond; cond] UNet call plus a linear update; anything
 * else (areas, masks, ControlNet, GLIGEN, inpainting, RescaleCFG, cfg 1, other samplers) stays on the host path.
 */
import type { F32Tensor, UNetRunner } from '../../models';
import { residentSampling } from '../../models';
import { plainPairBatch } from '../cond-batch';
import type { SamplingCond } from '../conds';
import type { SamplerName } from '../names';
import { residentSamplerRefusal, type ResidentSamplerOptions } from './schedule';

export interface ResidentQuestion {
  unet: Pick<UNetRunner, 'provider'>;
  /** prepared [positive, negative] */
  lists: readonly (readonly SamplingCond[])[];
  shape: readonly number[];
  fits?: (rows: number, h: number, w: number) => boolean;
  sampler: SamplerName;
  samplerOptions?: ResidentSamplerOptions;
  cfg: number;
  denoiseMask?: Float32Array;
  hasPostCfg: boolean;
  /** LOOM_RESIDENT_SAMPLING by default */
  mode?: 'auto' | 'on' | 'off';
}

/** The model-call inputs of a resident run, or why the run stays on the host. */
export function residentPlan(q: ResidentQuestion): { context: F32Tensor; y?: F32Tensor } | string {
  const mode = q.mode ?? residentSampling();
  if (mode === 'off') return 'LOOM_RESIDENT_SAMPLING=off';
  // WebGPU is where onnxruntime-node keeps outputs on the device; elsewhere the host loop costs nothing extra
  if (mode === 'auto' && q.unet.provider !== 'webgpu') return `the UNet runs on ${q.unet.provider}`;
  const sampler = residentSamplerRefusal(q.sampler, q.samplerOptions);
  if (sampler) return sampler;
  if (Math.abs(q.cfg - 1) <= 1e-9) return 'cfg 1 skips the negative pass';
  if (q.denoiseMask) return 'the latent has a noise mask';
  if (q.hasPostCfg) return 'the model has a CFG patch (RescaleCFG)';
  return plainPairBatch(q.lists, q.shape, q.fits);
}
