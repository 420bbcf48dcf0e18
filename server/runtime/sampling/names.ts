/**
 * Sampler and scheduler names the sampling runtime implements, in ComfyUI's order and spelling (KSampler.SAMPLERS,
 * SCHEDULER_NAMES). Pure data with no imports: node schemas (bundled by the editor) list these as their options.
 */
export const SAMPLER_NAMES = [
  'euler', 'euler_ancestral', 'heun', 'heunpp2', 'dpm_2', 'dpm_2_ancestral', 'lms', 'dpm_fast', 'dpm_adaptive',
  'dpmpp_2s_ancestral', 'dpmpp_sde', 'dpmpp_sde_gpu', 'dpmpp_2m', 'dpmpp_2m_sde', 'dpmpp_2m_sde_gpu', 'dpmpp_3m_sde',
  'dpmpp_3m_sde_gpu', 'ddpm', 'lcm', 'ipndm', 'deis', 'ddim', 'uni_pc', 'uni_pc_bh2',
] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

/**
 * ComfyUI's `_gpu` variants draw their Brownian-tree noise on the GPU with the same algorithm; with no CUDA generator
 * to mirror, ours run the CPU tree: the same maths, not the same random numbers as a ComfyUI GPU run.
 */
export const SAMPLER_ALIASES = {
  dpmpp_sde_gpu: 'dpmpp_sde',
  dpmpp_2m_sde_gpu: 'dpmpp_2m_sde',
  dpmpp_3m_sde_gpu: 'dpmpp_3m_sde',
} as const satisfies Partial<Record<SamplerName, SamplerName>>;

export const SCHEDULER_NAMES = [
  'simple', 'sgm_uniform', 'karras', 'exponential', 'ddim_uniform', 'beta', 'normal', 'linear_quadratic', 'kl_optimal',
] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];
