/** Sampler registry under ComfyUI's names (`KSampler.SAMPLERS`). */
import { dpm2, dpm2Ancestral, euler, eulerAncestral, heun, heunpp2 } from './euler';
import { lms } from './lms';
import { dpmpp2m, dpmpp2mSde, dpmpp2mSdeHeun, dpmpp2sAncestral, dpmpp3mSde, dpmppSde } from './dpmpp';
import { ddpm, ipndm, ipndmV, lcm } from './misc';
import { dpmAdaptive, dpmFast } from './dpm-solver';
import { uniPc, uniPcBh2 } from './uni-pc';
import { deis } from './deis';
import { dpmpp2mCfgPp, dpmpp2sAncestralCfgPp, eulerAncestralCfgPp, eulerCfgPp } from './cfg-pp';
import {
  gradientEstimation,
  gradientEstimationCfgPp,
  resMultistep,
  resMultistepAncestral,
  resMultistepAncestralCfgPp,
  resMultistepCfgPp,
} from './res-multistep';
import { expHeun2X0, expHeun2X0Sde, seeds2, seeds3 } from './seeds';
import { erSde } from './er-sde';
import { saSolver, saSolverPece } from './sa-solver';
import type { Denoiser, Sampler, SamplerOptions } from './types';
import { SAMPLER_ALIASES, SAMPLER_NAMES as NAMES, type SamplerName as Name } from '../names';

export * from './types';
export { erSdeNoiseScaler, erSdeDefaultNoiseScaler } from './er-sde';
export { saSolverTau, stochasticAdamsCoeffs } from './sa-solver';

export const SAMPLERS = {
  euler,
  euler_cfg_pp: eulerCfgPp,
  euler_ancestral: eulerAncestral,
  euler_ancestral_cfg_pp: eulerAncestralCfgPp,
  heun,
  heunpp2,
  exp_heun_2_x0: expHeun2X0,
  exp_heun_2_x0_sde: expHeun2X0Sde,
  dpm_2: dpm2,
  dpm_2_ancestral: dpm2Ancestral,
  lms,
  dpm_fast: dpmFast,
  dpm_adaptive: dpmAdaptive,
  dpmpp_2s_ancestral: dpmpp2sAncestral,
  dpmpp_2s_ancestral_cfg_pp: dpmpp2sAncestralCfgPp,
  dpmpp_sde: dpmppSde,
  dpmpp_2m: dpmpp2m,
  dpmpp_2m_cfg_pp: dpmpp2mCfgPp,
  dpmpp_2m_sde: dpmpp2mSde,
  dpmpp_2m_sde_heun: dpmpp2mSdeHeun,
  dpmpp_3m_sde: dpmpp3mSde,
  ddpm,
  lcm,
  ipndm,
  ipndm_v: ipndmV,
  deis,
  res_multistep: resMultistep,
  res_multistep_cfg_pp: resMultistepCfgPp,
  res_multistep_ancestral: resMultistepAncestral,
  res_multistep_ancestral_cfg_pp: resMultistepAncestralCfgPp,
  gradient_estimation: gradientEstimation,
  gradient_estimation_cfg_pp: gradientEstimationCfgPp,
  er_sde: erSde,
  seeds_2: seeds2,
  seeds_3: seeds3,
  sa_solver: saSolver,
  sa_solver_pece: saSolverPece,
  // ComfyUI's "ddim" is ksampler("euler"): for eps models Euler in σ is DDIM with η = 0.
  ddim: euler,
  uni_pc: uniPc,
  uni_pc_bh2: uniPcBh2,
} satisfies Record<Exclude<Name, keyof typeof SAMPLER_ALIASES>, Sampler>;

export type SamplerName = keyof typeof SAMPLERS;
/** Every name a workflow may use (names.ts), aliases included. */
export const SAMPLER_NAMES: readonly Name[] = NAMES;

/** The implementation a (possibly aliased) name runs. */
export function samplerImplementation(name: Name): SamplerName {
  return (SAMPLER_ALIASES as Partial<Record<Name, SamplerName>>)[name] ?? (name as SamplerName);
}

/** Samplers that consume noise after the start latent with their default options. */
export const STOCHASTIC_SAMPLERS: ReadonlySet<string> = new Set<SamplerName>([
  'euler_ancestral',
  'euler_ancestral_cfg_pp',
  'exp_heun_2_x0_sde',
  'dpm_2_ancestral',
  'dpmpp_2s_ancestral',
  'dpmpp_2s_ancestral_cfg_pp',
  'dpmpp_sde',
  'dpmpp_2m_sde',
  'dpmpp_2m_sde_heun',
  'dpmpp_3m_sde',
  'ddpm',
  'lcm',
  'res_multistep_ancestral',
  'res_multistep_ancestral_cfg_pp',
  'er_sde',
  'seeds_2',
  'seeds_3',
  'sa_solver',
  'sa_solver_pece',
]);
/** Samplers whose ComfyUI default noise is a Brownian tree (seeded with the seed itself); the rest use seed + 1 draws. */
export const SDE_SAMPLERS: ReadonlySet<string> = new Set<SamplerName>(['dpmpp_sde', 'dpmpp_2m_sde', 'dpmpp_2m_sde_heun', 'dpmpp_3m_sde']);
/** CFG++ samplers: they read the unconditional prediction (`Denoiser.withUncond`). */
export const CFG_PP_SAMPLERS: ReadonlySet<string> = new Set<SamplerName>([
  'euler_cfg_pp',
  'euler_ancestral_cfg_pp',
  'dpmpp_2s_ancestral_cfg_pp',
  'dpmpp_2m_cfg_pp',
  'res_multistep_cfg_pp',
  'res_multistep_ancestral_cfg_pp',
  'gradient_estimation_cfg_pp',
]);

export function isSamplerName(name: string): name is Name {
  return (NAMES as readonly string[]).includes(name);
}

/** Run sampler `name` (or an alias of one) from x over `sigmas`; x is never modified. */
export function sample(name: Name, model: Denoiser, x: Float32Array, sigmas: ArrayLike<number>, opts: SamplerOptions): Promise<Float32Array> {
  return SAMPLERS[samplerImplementation(name)](model, x, sigmas, opts);
}
