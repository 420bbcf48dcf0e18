/**
 * SEEDS (Gonzalez et al. 2023, arXiv 2305.14267: stochastic explicit exponential derivative-free solvers,
 * VP data prediction) stages 2 and 3, and the exponential Heun methods that are SEEDS-2 with r = 1, after
 * ComfyUI's `sample_seeds_2` / `sample_seeds_3` / `sample_exp_heun_2_x0[_sde]`. λ = −log σ and α = 1 (ε/v
 * models). The SDE noise of a step is built from one draw per stage, carried (decayed) to the next stage.
 */
import { combine, eiHPhi1, eiHPhi2, tFromSigma } from './ops';
import { checkCancelled, requireNoise, type NoiseSource, type Sampler, type SamplerOptions } from './types';

const lerp = (a: number, b: number, w: number): number => a + w * (b - a);

/** `sde_noise · e^{seg} + √(−expm1(2·seg)) · n`: the running noise carried to the next stage. */
function carry(prev: Float32Array, seg: number, n: Float32Array): Float32Array {
  return combine([
    [prev, Math.exp(seg)],
    [n, Math.sqrt(-Math.expm1(2 * seg))],
  ]);
}

function seeds2With(name: string, fixed: Partial<SamplerOptions>): Sampler {
  return async (model, x, sigmas, optsIn) => {
    const opts = { ...optsIn, ...fixed };
    const eta = opts.eta ?? 1;
    const sNoise = opts.sNoise ?? 1;
    const r = opts.r ?? 0.5;
    const solver = opts.solverType ?? 'phi_1';
    if (solver !== 'phi_1' && solver !== 'phi_2') throw new Error(`${name}: solver_type must be 'phi_1' or 'phi_2', got '${solver}'`);
    const inject = eta > 0 && sNoise > 0;
    const noise: NoiseSource | null = inject ? requireNoise(opts, name) : null;
    for (let i = 0; i < sigmas.length - 1; i++) {
      checkCancelled(opts.signal);
      const denoised = await model(x, sigmas[i]);
      opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
      if (sigmas[i + 1] === 0) {
        x = denoised;
        continue;
      }
      const [s, t] = [sigmas[i], sigmas[i + 1]];
      const lambdaS = tFromSigma(s);
      const lambdaT = tFromSigma(t);
      const h = lambdaT - lambdaS;
      const hEta = h * (eta + 1);
      const sigmaS1 = Math.exp(-lerp(lambdaS, lambdaT, r));
      let x2 = combine([
        [x, (sigmaS1 / s) * Math.exp(-r * h * eta)],
        [denoised, -eiHPhi1(-r * hEta)],
      ]);
      let sde: Float32Array | null = null;
      if (noise) {
        sde = combine([[noise(s, sigmaS1), Math.sqrt(-Math.expm1(-2 * r * h * eta))]]);
        x2 = combine([
          [x2, 1],
          [sde, sigmaS1 * sNoise],
        ]);
      }
      const denoised2 = await model(x2, sigmaS1);
      const decay = (t / s) * Math.exp(-h * eta);
      if (solver === 'phi_1') {
        const fac = 1 / (2 * r);
        const k = -eiHPhi1(-hEta);
        x = combine([
          [x, decay],
          [denoised, k * (1 - fac)],
          [denoised2, k * fac],
        ]);
      } else {
        const b2 = eiHPhi2(-hEta) / r;
        const b1 = eiHPhi1(-hEta) - b2;
        x = combine([
          [x, decay],
          [denoised, -b1],
          [denoised2, -b2],
        ]);
      }
      if (noise && sde) {
        sde = carry(sde, (r - 1) * h * eta, noise(sigmaS1, t));
        x = combine([
          [x, 1],
          [sde, t * sNoise],
        ]);
      }
    }
    return x;
  };
}

export const seeds2 = seeds2With('seeds_2', {});
export const expHeun2X0 = seeds2With('exp_heun_2_x0', { eta: 0, sNoise: 0, r: 1, solverType: 'phi_2' });
/** eta / s_noise stay adjustable (ComfyUI's keyword defaults 1, 1). */
export const expHeun2X0Sde = seeds2With('exp_heun_2_x0_sde', { r: 1, solverType: 'phi_2' });

export const seeds3: Sampler = async (model, x, sigmas, opts) => {
  const eta = opts.eta ?? 1;
  const sNoise = opts.sNoise ?? 1;
  const r1 = opts.r1 ?? 1 / 3;
  const r2 = opts.r2 ?? 2 / 3;
  const inject = eta > 0 && sNoise > 0;
  const noise: NoiseSource | null = inject ? requireNoise(opts, 'seeds_3') : null;
  for (let i = 0; i < sigmas.length - 1; i++) {
    checkCancelled(opts.signal);
    const denoised = await model(x, sigmas[i]);
    opts.callback?.({ i, x, sigma: sigmas[i], sigmaHat: sigmas[i], denoised });
    if (sigmas[i + 1] === 0) {
      x = denoised;
      continue;
    }
    const [s, t] = [sigmas[i], sigmas[i + 1]];
    const lambdaS = tFromSigma(s);
    const lambdaT = tFromSigma(t);
    const h = lambdaT - lambdaS;
    const hEta = h * (eta + 1);
    const sigmaS1 = Math.exp(-lerp(lambdaS, lambdaT, r1));
    const sigmaS2 = Math.exp(-lerp(lambdaS, lambdaT, r2));
    // Stage 1
    let x2 = combine([
      [x, (sigmaS1 / s) * Math.exp(-r1 * h * eta)],
      [denoised, -eiHPhi1(-r1 * hEta)],
    ]);
    let sde: Float32Array | null = null;
    if (noise) {
      sde = combine([[noise(s, sigmaS1), Math.sqrt(-Math.expm1(-2 * r1 * h * eta))]]);
      x2 = combine([
        [x2, 1],
        [sde, sigmaS1 * sNoise],
      ]);
    }
    const denoised2 = await model(x2, sigmaS1);
    // Stage 2
    const a32 = (r2 / r1) * eiHPhi2(-r2 * hEta);
    const a31 = eiHPhi1(-r2 * hEta) - a32;
    let x3 = combine([
      [x, (sigmaS2 / s) * Math.exp(-r2 * h * eta)],
      [denoised, -a31],
      [denoised2, -a32],
    ]);
    if (noise && sde) {
      sde = carry(sde, (r1 - r2) * h * eta, noise(sigmaS1, sigmaS2));
      x3 = combine([
        [x3, 1],
        [sde, sigmaS2 * sNoise],
      ]);
    }
    const denoised3 = await model(x3, sigmaS2);
    // Stage 3
    const b3 = eiHPhi2(-hEta) / r2;
    const b1 = eiHPhi1(-hEta) - b3;
    x = combine([
      [x, (t / s) * Math.exp(-h * eta)],
      [denoised, -b1],
      [denoised3, -b3],
    ]);
    if (noise && sde) {
      sde = carry(sde, (r2 - 1) * h * eta, noise(sigmaS2, t));
      x = combine([
        [x, 1],
        [sde, t * sNoise],
      ]);
    }
  }
  return x;
};
