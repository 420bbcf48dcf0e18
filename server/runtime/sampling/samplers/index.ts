/** Sampler registry under ComfyUI's names (`KSampler.SAMPLERS`). */
import { dpm2, dpm2Ancestral, euler, eulerAncestral, heun, heunpp2 } from './euler';
import { lms } from './lms';
import { dpmpp2m, dpmpp2mSde, dpmpp2sAncestral, dpmpp3mSde, dpmppSde } from './dpmpp';
import { ddpm, ipndm, lcm } from './misc';
import { dpmAdaptive, dpmFast } from './dpm-solver';
import { uniPc, uniPcBh2 } from './uni-pc';
import { deis } from './deis';
import type { Denoiser, Sampler, SamplerOptions } from './types';
import { SAMPLER_ALIASES, SAMPLER_NAMES as NAMES, type SamplerName as Name } from '../names';

export * from './types';

export const SAMPLERS = {
  euler,
  euler_ancestral: eulerAncestral,
  heun,
  heunpp2,
  dpm_2: dpm2,
  dpm_2_ancestral: dpm2Ancestral,
  lms,
  dpm_fast: dpmFast,
  dpm_adaptive: dpmAdaptive,
  dpmpp_2s_ancestral: dpmpp2sAncestral,
  dpmpp_sde: dpmppSde,
  dpmpp_2m: dpmpp2m,
  dpmpp_2m_sde: dpmpp2mSde,
  dpmpp_3m_sde: dpmpp3mSde,
  ddpm,
  lcm,
  ipndm,
  deis,
  uni_pc: uniPc,
  uni_pc_bh2: uniPcBh2,
  // ComfyUI's "ddim" is ksampler("euler"): for eps models Euler in σ is DDIM with η = 0.
  ddim: euler,
} satisfies Record<string, Sampler>;

export type SamplerName = keyof typeof SAMPLERS;
/** Every name a workflow may use (names.ts), aliases included. */
export const SAMPLER_NAMES: readonly Name[] = NAMES;

/** The implementation a (possibly aliased) name runs. */
export function samplerImplementation(name: Name): SamplerName {
  return (SAMPLER_ALIASES as Partial<Record<Name, SamplerName>>)[name] ?? (name as SamplerName);
}

/** Samplers that consume noise after the start latent. */
export const STOCHASTIC_SAMPLERS: ReadonlySet<string> = new Set<SamplerName>([
  'euler_ancestral', 'dpm_2_ancestral', 'dpmpp_2s_ancestral', 'dpmpp_sde', 'dpmpp_2m_sde', 'dpmpp_3m_sde', 'ddpm', 'lcm',
]);
/** Samplers whose k-diffusion default noise is a Brownian tree. */
export const SDE_SAMPLERS: ReadonlySet<string> = new Set<SamplerName>(['dpmpp_sde', 'dpmpp_2m_sde', 'dpmpp_3m_sde']);

export function isSamplerName(name: string): name is Name {
  return (NAMES as readonly string[]).includes(name);
}

/** Run sampler `name` (or an alias of one) from x over `sigmas`; x is never modified. */
export function sample(name: Name, model: Denoiser, x: Float32Array, sigmas: ArrayLike<number>, opts: SamplerOptions): Promise<Float32Array> {
  return SAMPLERS[samplerImplementation(name)](model, x, sigmas, opts);
}
