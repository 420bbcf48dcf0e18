/**
 * The per-step arithmetic of the samplers resident sampling runs, as coefficients of one linear update
 * x' = α·x + β·denoised + δ·previous_denoised + γ·noise (k-diffusion's euler, euler_ancestral, dpmpp_2m and lcm, and
 * ComfyUI's ddim, which is euler), plus the model output → denoised map of each model sampling type. Computed in
 * float64 on the host, applied on the device by the step graph (step-graph.ts): the same values as the JS samplers
 * up to float32 rounding order.
 */
import type { ModelSamplingDiscrete } from '../model-sampling';
import type { SamplerName } from '../names';
import { ancestralStep, tFromSigma } from '../samplers/ops';

export interface StepCoefficients {
  alpha: number;
  beta: number;
  /** weight of the previous step's denoised estimate (multistep samplers) */
  delta: number;
  /** weight of this step's fresh noise; 0 when the step draws none */
  gamma: number;
  /** whether the JS sampler draws noise at this step (the draws must come in its order to stay on ComfyUI's stream) */
  drawsNoise: boolean;
}

export const RESIDENT_SAMPLERS: ReadonlySet<SamplerName> = new Set<SamplerName>(['euler', 'ddim', 'euler_ancestral', 'dpmpp_2m', 'lcm']);

export interface ResidentSamplerOptions {
  eta?: number;
  sNoise?: number;
  sChurn?: number;
}

/** Why a sampler cannot run resident, or undefined when it can. */
export function residentSamplerRefusal(name: SamplerName, opts: ResidentSamplerOptions = {}): string | undefined {
  if (!RESIDENT_SAMPLERS.has(name)) return `sampler ${name} runs on the host`;
  if ((opts.sChurn ?? 0) !== 0) return 'euler with churn runs on the host';
  return undefined;
}

/** The update of each step (sigmas.length − 1 of them). */
export function stepCoefficients(name: SamplerName, sigmas: ArrayLike<number>, opts: ResidentSamplerOptions = {}): StepCoefficients[] {
  const refusal = residentSamplerRefusal(name, opts);
  if (refusal) throw new Error(refusal);
  const steps: StepCoefficients[] = [];
  for (let i = 0; i < sigmas.length - 1; i++) {
    const s = sigmas[i];
    const sn = sigmas[i + 1];
    if (name === 'euler' || name === 'ddim') {
      // x + (x − d)/σ·(σn − σ)
      const dt = (sn - s) / s;
      steps.push({ alpha: 1 + dt, beta: -dt, delta: 0, gamma: 0, drawsNoise: false });
    } else if (name === 'euler_ancestral') {
      const { sigmaDown, sigmaUp } = ancestralStep(s, sn, opts.eta ?? 1);
      if (sigmaDown === 0) steps.push({ alpha: 0, beta: 1, delta: 0, gamma: 0, drawsNoise: false });
      else {
        const dt = (sigmaDown - s) / s;
        steps.push({ alpha: 1 + dt, beta: -dt, delta: 0, gamma: (opts.sNoise ?? 1) * sigmaUp, drawsNoise: true });
      }
    } else if (name === 'dpmpp_2m') {
      const t = tFromSigma(s);
      const h = tFromSigma(sn) - t;
      const ratio = sn / s;
      const e = -Math.expm1(-h);
      if (i === 0 || sn === 0) steps.push({ alpha: ratio, beta: e, delta: 0, gamma: 0, drawsNoise: false });
      else {
        const r = (t - tFromSigma(sigmas[i - 1])) / h;
        steps.push({ alpha: ratio, beta: e * (1 + 1 / (2 * r)), delta: (e * -1) / (2 * r), gamma: 0, drawsNoise: false });
      }
    } else {
      // lcm: x = denoised, re-noised to σn with the discrete types' noise_scaling (σ·noise + x)
      steps.push(
        sn > 0 ? { alpha: 0, beta: 1, delta: 0, gamma: sn, drawsNoise: true } : { alpha: 0, beta: 1, delta: 0, gamma: 0, drawsNoise: false },
      );
    }
  }
  return steps;
}

/** denoised = a·x − b·model_output for the model sampling type at σ (ComfyUI's calculate_denoised). */
export function denoisedCoefficients(ms: ModelSamplingDiscrete, sigma: number): { a: number; b: number } {
  switch (ms.prediction) {
    case 'eps':
      return { a: 1, b: sigma };
    case 'x0':
    case 'img_to_img':
      return { a: 0, b: -1 };
    case 'v_prediction': {
      const s2 = sigma * sigma;
      return { a: 1 / (s2 + 1), b: sigma / Math.sqrt(s2 + 1) };
    }
    case 'lcm': {
      const st = ms.timestep(sigma) * 10;
      const cSkip = 0.25 / (st * st + 0.25);
      const cOut = st / Math.sqrt(st * st + 0.25);
      return { a: cOut + cSkip, b: cOut * sigma };
    }
  }
}
