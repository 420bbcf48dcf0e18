/**
 * ComfyUI `KSampler` / `KSamplerAdvanced` (nodes.py `common_ksampler`, comfy/samplers.py
 * `KSampler.set_steps` / `KSampler.sample`, `KSAMPLER.sample`) on our samplers.
 * Latents here are in model space: apply `processLatentIn` / `processLatentOut` around it.
 */
import { cfgDenoiser, type CfgDenoiserOptions, type CondSource, type PostCfgArgs } from './cfg';
import { needsUncond, sampleCustom, type SamplerExtraOptions } from './custom-sample';
import { cfgGuider } from './guider';
import type { ModelSamplingDiscrete } from './model-sampling';
import { TorchGenerator } from './rng';
import type { SamplerName } from './names';
import { checkCancelled } from './samplers/types';
import { calculateSigmas, type SchedulerName } from './schedules';

/** ComfyUI adds one step and drops the penultimate sigma for these (`DISCARD_PENULTIMATE_SIGMA_SAMPLERS`). */
const DISCARD_PENULTIMATE: ReadonlySet<string> = new Set(['dpm_2', 'dpm_2_ancestral', 'uni_pc', 'uni_pc_bh2']);

/** `KSampler.calculate_sigmas` for a sampler/scheduler pair. */
export function samplerSigmas(ms: ModelSamplingDiscrete, sampler: SamplerName, scheduler: SchedulerName, steps: number): Float32Array {
  if (!DISCARD_PENULTIMATE.has(sampler)) return calculateSigmas(ms, scheduler, steps);
  const s = calculateSigmas(ms, scheduler, steps + 1);
  const out = new Float32Array(s.length - 1);
  out.set(s.subarray(0, s.length - 2));
  out[out.length - 1] = s[s.length - 1];
  return out;
}

/** `KSampler.set_steps` + the start/last-step slicing of `KSampler.sample`. Empty = nothing to do. */
export function ksamplerSigmas(
  ms: ModelSamplingDiscrete,
  sampler: SamplerName,
  scheduler: SchedulerName,
  steps: number,
  {
    denoise = 1,
    startStep,
    endStep,
    forceFullDenoise = false,
  }: { denoise?: number; startStep?: number; endStep?: number; forceFullDenoise?: boolean } = {},
): Float32Array {
  let sigmas: Float32Array;
  if (denoise > 0.9999) sigmas = samplerSigmas(ms, sampler, scheduler, steps);
  else if (denoise <= 0) sigmas = new Float32Array(0);
  else sigmas = samplerSigmas(ms, sampler, scheduler, Math.trunc(steps / denoise)).slice(-(steps + 1));
  if (endStep !== undefined && endStep < sigmas.length - 1) {
    sigmas = sigmas.slice(0, endStep + 1);
    if (forceFullDenoise) sigmas[sigmas.length - 1] = 0;
  }
  if (startStep !== undefined) {
    if (startStep < sigmas.length - 1) sigmas = sigmas.slice(startStep);
    else return new Float32Array(0);
  }
  return sigmas;
}

export interface KSampleBase {
  modelSampling: ModelSamplingDiscrete;
  cfg: number;
  /** Start latent in model space (zeros for text-to-image), laid out as `shape`. */
  latent: Float32Array;
  shape: readonly number[];
  seed: bigint | number;
  sampler: SamplerName;
  scheduler: SchedulerName;
  steps: number;
  /** KSampler's denoise (1 = full). */
  denoise?: number;
  /** KSamplerAdvanced add_noise; false = zero noise (ComfyUI `disable_noise`). */
  addNoise?: boolean;
  startStep?: number;
  endStep?: number;
  /** KSamplerAdvanced return_with_leftover_noise; false forces the last sigma to 0 when endStep cuts. */
  returnWithLeftoverNoise?: boolean;
  /** Overrides the seeded initial noise (e.g. a recorded tensor). */
  noise?: Float32Array;
  /** step = 1-based index of the step just evaluated, total = sampling steps, denoised = its x0 estimate. */
  callback?: (step: number, total: number, denoised: Float32Array) => void;
  signal?: AbortSignal;
  /** eta, sNoise, … passed to the sampler. */
  samplerOptions?: SamplerExtraOptions;
  /** replaces the CFG combine (ComfyUI's sampler_cfg_function, e.g. RescaleCFG) */
  postCfg?: (a: PostCfgArgs) => Float32Array;
  /** The LATENT's noise_mask brought to `shape` (prepareDenoiseMask): ComfyUI's denoise_mask. */
  denoiseMask?: Float32Array;
}

/** KSampler's options: the conditionings as a CondPredictor (conds.ts) or one plain conditioning per side. */
export type KSampleOptions<C> = KSampleBase & CondSource<C>;

/** The sigmas a KSampler / KSamplerAdvanced run steps through (its denoise, start/end step and leftover-noise widgets). */
export function kSampleSigmas(
  ms: ModelSamplingDiscrete,
  o: Pick<KSampleBase, 'sampler' | 'scheduler' | 'steps' | 'denoise' | 'startStep' | 'endStep' | 'returnWithLeftoverNoise'>,
): Float32Array {
  return ksamplerSigmas(ms, o.sampler, o.scheduler, o.steps, {
    denoise: o.denoise ?? 1,
    startStep: o.startStep,
    endStep: o.endStep,
    forceFullDenoise: !(o.returnWithLeftoverNoise ?? false),
  });
}

/** Run KSampler / KSamplerAdvanced; returns the new latent (model space). Throws SamplingCancelled on abort. */
export async function kSample<C>(o: KSampleOptions<C>): Promise<Float32Array> {
  checkCancelled(o.signal);
  const ms = o.modelSampling;
  const sigmas = kSampleSigmas(ms, o);
  if (sigmas.length === 0) return Float32Array.from(o.latent);
  const noise = o.addNoise === false ? new Float32Array(o.latent.length) : (o.noise ?? new TorchGenerator(o.seed).randn(o.shape));
  const spec = { name: o.sampler, options: o.samplerOptions };
  const guide: CfgDenoiserOptions<C> = { ...o, modelSampling: ms, cfg: o.cfg, shape: o.shape, postCfg: o.postCfg };
  // CFG++ samplers read the uncond prediction (ComfyUI: post-CFG hook, cfg-1 shortcut off); the rest get plain CFG.
  const denoiser = needsUncond(spec) ? cfgGuider(guide) : cfgDenoiser(guide);
  const { samples } = await sampleCustom({
    modelSampling: ms,
    denoiser,
    sampler: spec,
    sigmas,
    latent: o.latent,
    shape: o.shape,
    noise,
    seed: o.seed,
    callback: o.callback,
    signal: o.signal,
    denoiseMask: o.denoiseMask,
  });
  return samples;
}
