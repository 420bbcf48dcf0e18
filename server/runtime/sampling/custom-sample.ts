/**
 * ComfyUI's custom sampling (SamplerCustom / SamplerCustomAdvanced → CFGGuider.sample → KSAMPLER.sample) on our
 * samplers: a GUIDER (Denoiser), a SAMPLER (SamplerSpec), SIGMAS and the initial noise. KSampler runs through the
 * same path (ksampler.ts). Latents are in model space: apply processLatentIn / processLatentOut around it.
 */
import type { ModelSamplingDiscrete } from './model-sampling';
import { samplerNoise } from './noise';
import type { SamplerName } from './names';
import {
  CFG_PP_SAMPLERS,
  erSdeNoiseScaler,
  isSamplerName,
  sample,
  samplerImplementation,
  SAMPLER_NAMES,
  saSolverTau,
  SDE_SAMPLERS,
  type Denoiser,
  type SamplerOptions,
} from './samplers';
import { checkCancelled } from './samplers/types';
import { inpaintDenoiser } from './inpaint';

/** Options a SAMPLER carries (what ComfyUI's sampler nodes put in KSAMPLER.extra_options). */
export type SamplerExtraOptions = Partial<Omit<SamplerOptions, 'shape' | 'callback' | 'signal' | 'noise'>>;

/** The SAMPLER socket's runtime value: a sampler name and its options. */
export interface SamplerSpec {
  readonly name: SamplerName;
  readonly options?: SamplerExtraOptions;
}

/** True when the sampler reads the unconditional prediction (the guider must provide `withUncond`). */
export function needsUncond(spec: SamplerSpec): boolean {
  return CFG_PP_SAMPLERS.has(samplerImplementation(spec.name));
}

function samplerSpec(name: string, options?: SamplerExtraOptions): SamplerSpec {
  if (!isSamplerName(name)) throw new Error(`unknown sampler "${name}" (expected one of ${SAMPLER_NAMES.join(', ')})`);
  return options ? { name, options } : { name };
}

const device = (noiseDevice: 'gpu' | 'cpu', name: SamplerName): SamplerName => (noiseDevice === 'cpu' ? name : (`${name}_gpu` as SamplerName));

/** ComfyUI's SAMPLER-producing nodes, input names as theirs. */
export const samplerNodes = {
  KSamplerSelect: (p: { sampler_name: string }) => samplerSpec(p.sampler_name),
  SamplerEulerAncestral: (p: { eta: number; s_noise: number }) => samplerSpec('euler_ancestral', { eta: p.eta, sNoise: p.s_noise }),
  SamplerEulerAncestralCFGPP: (p: { eta: number; s_noise: number }) => samplerSpec('euler_ancestral_cfg_pp', { eta: p.eta, sNoise: p.s_noise }),
  SamplerDPMPP_2S_Ancestral: (p: { eta: number; s_noise: number }) => samplerSpec('dpmpp_2s_ancestral', { eta: p.eta, sNoise: p.s_noise }),
  SamplerDPMPP_SDE: (p: { eta: number; s_noise: number; r: number; noise_device: 'gpu' | 'cpu' }) =>
    samplerSpec(device(p.noise_device, 'dpmpp_sde'), { eta: p.eta, sNoise: p.s_noise, r: p.r }),
  SamplerDPMPP_2M_SDE: (p: { solver_type: 'midpoint' | 'heun'; eta: number; s_noise: number; noise_device: 'gpu' | 'cpu' }) =>
    samplerSpec(device(p.noise_device, 'dpmpp_2m_sde'), { solverType: p.solver_type, eta: p.eta, sNoise: p.s_noise }),
  SamplerDPMPP_3M_SDE: (p: { eta: number; s_noise: number; noise_device: 'gpu' | 'cpu' }) =>
    samplerSpec(device(p.noise_device, 'dpmpp_3m_sde'), { eta: p.eta, sNoise: p.s_noise }),
  SamplerLMS: (p: { order: number }) => samplerSpec('lms', { order: p.order }),
  SamplerDPMAdaptative: (p: {
    order: number;
    rtol: number;
    atol: number;
    h_init: number;
    pcoeff: number;
    icoeff: number;
    dcoeff: number;
    accept_safety: number;
    eta: number;
    s_noise: number;
  }) =>
    samplerSpec('dpm_adaptive', {
      order: p.order,
      rtol: p.rtol,
      atol: p.atol,
      hInit: p.h_init,
      pcoeff: p.pcoeff,
      icoeff: p.icoeff,
      dcoeff: p.dcoeff,
      acceptSafety: p.accept_safety,
      eta: p.eta,
      sNoise: p.s_noise,
    }),
  SamplerER_SDE: (p: { solver_type: 'ER-SDE' | 'Reverse-time SDE' | 'ODE'; max_stage: number; eta: number; s_noise: number }) => {
    const { noiseScaler, sNoise } = erSdeNoiseScaler(p.solver_type, p.eta, p.s_noise);
    return samplerSpec('er_sde', { noiseScaler, sNoise, maxStage: p.max_stage });
  },
  SamplerSASolver: (
    ms: ModelSamplingDiscrete,
    p: {
      eta: number;
      sde_start_percent: number;
      sde_end_percent: number;
      s_noise: number;
      predictor_order: number;
      corrector_order: number;
      use_pece: boolean;
      simple_order_2: boolean;
    },
  ) =>
    samplerSpec('sa_solver', {
      tau: saSolverTau((q) => ms.percentToSigma(q), p.sde_start_percent, p.sde_end_percent, p.eta),
      sNoise: p.s_noise,
      predictorOrder: p.predictor_order,
      correctorOrder: p.corrector_order,
      usePece: p.use_pece,
      simpleOrder2: p.simple_order_2,
    }),
  SamplerSEEDS2: (p: { solver_type: 'phi_1' | 'phi_2'; eta: number; s_noise: number; r: number }) =>
    samplerSpec('seeds_2', { solverType: p.solver_type, eta: p.eta, sNoise: p.s_noise, r: p.r }),
} as const;

export interface CustomSampleOptions {
  modelSampling: ModelSamplingDiscrete;
  /** The GUIDER's denoiser; CFG++ samplers need its `withUncond` (cfgGuider / basicGuider provide it). */
  denoiser: Denoiser;
  sampler: SamplerSpec;
  sigmas: ArrayLike<number>;
  /** Start latent in model space, laid out as `shape`. */
  latent: Float32Array;
  shape: readonly number[];
  /** The initial noise (generateNoise / prepareNoise), same layout. */
  noise: Float32Array;
  /** Seed of the sampler's own noise (ComfyUI's extra_args seed: the NOISE's seed; DisableNoise gives 0). */
  seed: bigint | number;
  /** The LATENT's noise_mask brought to `shape` (prepareDenoiseMask): sample where 1, keep the latent where 0. */
  denoiseMask?: Float32Array;
  /** step = 1-based index of the step just evaluated, total = steps, denoised = its x0 estimate. */
  callback?: (step: number, total: number, denoised: Float32Array) => void;
  signal?: AbortSignal;
}

export interface CustomSampleResult {
  /** The sampled latent (SamplerCustom's `output`). */
  samples: Float32Array;
  /** The last step's denoised estimate (`denoised_output`); `samples` when there was no step. */
  denoised: Float32Array;
}

/** Every sigma finite and ≥ 0, or an error naming the first that is not. */
export function checkSigmaValues(sigmas: ArrayLike<number>): void {
  for (let i = 0; i < sigmas.length; i++) {
    if (!Number.isFinite(sigmas[i]) || sigmas[i] < 0) throw new Error(`sigmas[${i}] is ${sigmas[i]}: sigmas must be finite and ≥ 0`);
  }
}

/** KSAMPLER.sample's start: the noise scaled in (fully when the schedule starts at or above sigma_max: max_denoise). */
export function startLatent(ms: ModelSamplingDiscrete, sigmas: ArrayLike<number>, noise: Float32Array, latent: Float32Array): Float32Array {
  const sMax = ms.sigmaMax;
  const maxDenoise = Math.abs(sigmas[0] - sMax) <= 1e-5 * Math.max(Math.abs(sigmas[0]), sMax) || sigmas[0] > sMax;
  return ms.noiseScaling(sigmas[0], noise, latent, maxDenoise);
}

/** Sampling over explicit sigmas, as ComfyUI's guider.sample; empty sigmas return the latent unchanged. */
export async function sampleCustom(o: CustomSampleOptions): Promise<CustomSampleResult> {
  checkCancelled(o.signal);
  const n = o.shape.reduce((a, b) => a * b, 1);
  if (o.latent.length !== n || o.noise.length !== n) {
    throw new Error(`latent (${o.latent.length}) and noise (${o.noise.length}) must both hold ${n} values for shape [${o.shape.join(', ')}]`);
  }
  checkSigmaValues(o.sigmas);
  if (o.sigmas.length === 0) return { samples: Float32Array.from(o.latent), denoised: Float32Array.from(o.latent) };
  const ms = o.modelSampling;
  const sigmas = o.sigmas;
  const x0 = startLatent(ms, sigmas, o.noise, o.latent);
  const impl = samplerImplementation(o.sampler.name);
  const total = sigmas.length - 1;
  let lastDenoised: Float32Array | null = null;
  // KSAMPLER.sample: the inpaint wrapper sees the unscaled noise and the start latent
  const denoiser = o.denoiseMask
    ? inpaintDenoiser(o.denoiser, { modelSampling: ms, mask: o.denoiseMask, noise: o.noise, latent: o.latent })
    : o.denoiser;
  const out = await sample(o.sampler.name, denoiser, x0, sigmas, {
    noise: samplerNoise(SDE_SAMPLERS.has(impl), o.seed, o.shape, sigmas),
    noiseScaling: (s, nz, l) => ms.noiseScaling(s, nz, l),
    tau: saSolverTau((p) => ms.percentToSigma(p)),
    finalDenoise: true, // ComfyUI's lms ends on the denoised estimate
    ...o.sampler.options,
    shape: o.shape,
    signal: o.signal,
    callback: ({ i, denoised }) => {
      lastDenoised = denoised;
      o.callback?.(i + 1, total, denoised);
    },
  });
  const samples = ms.inverseNoiseScaling(sigmas[sigmas.length - 1], out);
  return { samples, denoised: lastDenoised ?? samples };
}
