/** Sampler and scheduler names, spelled as ComfyUI spells them so imported workflows keep their values. */
export const SAMPLER_NAMES = [
  'euler', 'euler_ancestral', 'heun', 'heunpp2', 'dpm_2', 'dpm_2_ancestral', 'lms', 'dpm_fast', 'dpm_adaptive',
  'dpmpp_2s_ancestral', 'dpmpp_sde', 'dpmpp_2m', 'dpmpp_2m_sde', 'dpmpp_3m_sde', 'ddpm', 'lcm', 'ipndm', 'deis',
  'ddim', 'uni_pc', 'uni_pc_bh2',
] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export const SCHEDULER_NAMES = [
  'normal', 'karras', 'exponential', 'simple', 'sgm_uniform', 'ddim_uniform', 'beta', 'linear_quadratic', 'kl_optimal',
] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];
