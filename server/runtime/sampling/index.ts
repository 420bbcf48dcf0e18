/** Public surface of the sampling runtime (what the engine imports). */
export { SAMPLER_ALIASES, type SamplerName } from './names';
export { TorchGenerator } from './rng';
export { ModelSamplingDiscrete, type Prediction } from './model-sampling';
export { calculateSigmas, SCHEDULER_NAMES, type SchedulerName, karrasSigmas, exponentialSigmas, polyexponentialSigmas, vpSigmas, kdiffusionDiscreteSigmas } from './schedules';
export { sample, SAMPLERS, SAMPLER_NAMES, isSamplerName, samplerImplementation, STOCHASTIC_SAMPLERS, SDE_SAMPLERS, SamplingCancelled, type Denoiser, type NoiseSource, type SamplerOptions, type StepInfo } from './samplers';
export { seededNoise, comfyAncestralNoise, recordedNoise, brownianNoise } from './noise';
export { cfgDenoiser, type ModelApply, type CfgDenoiserOptions } from './cfg';
export { kSample, ksamplerSigmas, samplerSigmas, type KSampleOptions } from './ksampler';
export { processLatentIn, processLatentOut, LATENT_SCALE, type LatentFamily } from './latent-format';
export { latentPreview, type PreviewImage } from './preview';
