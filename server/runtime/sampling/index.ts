/** Public surface of the sampling runtime (what the engine and the nodes import). */
export { SAMPLER_ALIASES, type SamplerName } from './names';
export { TorchGenerator } from './rng';
export {
  ModelSamplingDiscrete,
  SAMPLING_TYPES,
  rescaleZeroTerminalSnr,
  type Prediction,
  type SamplingType,
  type DiscreteScheduleOptions,
} from './model-sampling';
export {
  calculateSigmas,
  SCHEDULER_NAMES,
  type SchedulerName,
  karrasSigmas,
  exponentialSigmas,
  polyexponentialSigmas,
  vpSigmas,
  kdiffusionDiscreteSigmas,
} from './schedules';
export {
  basicSchedulerSigmas,
  sdTurboSigmas,
  betaSamplingSigmas,
  laplaceSigmas,
  alignYourStepsSigmas,
  AYS_NOISE_LEVELS,
  type AysModelType,
  splitSigmas,
  splitSigmasDenoise,
  flipSigmas,
  setFirstSigma,
  extendIntermediateSigmas,
  samplingPercentToSigma,
} from './custom-schedules';
export {
  sample,
  SAMPLERS,
  SAMPLER_NAMES,
  isSamplerName,
  samplerImplementation,
  STOCHASTIC_SAMPLERS,
  SDE_SAMPLERS,
  CFG_PP_SAMPLERS,
  SamplingCancelled,
  guidedDenoiser,
  saSolverTau,
  erSdeNoiseScaler,
  type Denoiser,
  type GuidedPrediction,
  type NoiseSource,
  type SamplerOptions,
  type StepInfo,
} from './samplers';
export {
  seededNoise,
  comfyAncestralNoise,
  recordedNoise,
  brownianNoise,
  prepareNoise,
  generateNoise,
  noiseSeed,
  samplerNoise,
  type NoiseSpec,
} from './noise';
export { cfgDenoiser, type ModelApply, type CfgDenoiserOptions, type PostCfgArgs } from './cfg';
export { cfgGuider, basicGuider, dualCfg, dualCfgSkips, type DualCfgArgs } from './guider';
export { rescaleCfg, type RescaleCfgArgs } from './rescale-cfg';
export {
  sampleCustom,
  samplerNodes,
  needsUncond,
  type SamplerSpec,
  type SamplerExtraOptions,
  type CustomSampleOptions,
  type CustomSampleResult,
} from './custom-sample';
export { kSample, ksamplerSigmas, samplerSigmas, type KSampleOptions } from './ksampler';
export { processLatentIn, processLatentOut, LATENT_SCALE, type LatentFamily } from './latent-format';
export { latentPreview, type PreviewImage } from './preview';
