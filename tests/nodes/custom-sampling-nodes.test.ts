/**
 * The SIGMAS / SAMPLER / NOISE nodes called as the scheduler calls them, against ComfyUI's own node outputs for the
 * same parameters (tests/runtime/sampling/fixtures/comfy-sampling-cases.safetensors, see make_schedule_workflow.py).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePaths } from '../../server/config/paths';
import type { ModelHandle } from '../../server/runtime/handles';
import { ModelCache } from '../../server/runtime/model-cache';
import type { SigmasValue } from '../../server/runtime/sampling/socket-values';
import { callNode } from '../helpers/nodes';
import { readGoldenTensors, type GoldenTensor } from '../helpers/read-golden';

const FIXTURE = path.resolve(import.meta.dirname, '../runtime/sampling/fixtures/comfy-sampling-cases.safetensors');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-sigmas-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const o = { paths: resolvePaths({ root: dir }), models: new ModelCache(2 ** 20) };

/** A MODEL as the scheduler nodes read it: only its sampling matters (no weights are touched). */
const model = (sampling?: ModelHandle['sampling']): ModelHandle => ({
  kind: 'model',
  family: 'sd1',
  prediction: 'eps',
  unet: {} as ModelHandle['unet'],
  latent: 'sd1',
  key: 'fake',
  recipe: [],
  ...(sampling ? { sampling } : {}),
});

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, b[i] === 0 ? Math.abs(a[i]) * 1e9 : Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  return m;
}

describe('custom-sampling nodes', () => {
  let g: Map<string, GoldenTensor>;
  const ref = (k: string) => {
    const t = g.get(k);
    if (!t) throw new Error(`fixture has no ${k}`);
    return t.data;
  };
  const sig = async (type: string, params: Record<string, string | number | boolean>, inputs: Record<string, unknown> = {}, out = 'SIGMAS') =>
    ((await callNode(type, params, inputs, o)).outputs[out] as SigmasValue).sigmas;
  beforeAll(async () => {
    g = await readGoldenTensors(FIXTURE);
  });

  it('schedulers give ComfyUI sigmas, the model sampling of the MODEL included', async () => {
    expect(
      maxRel(await sig('BasicScheduler', { scheduler: 'karras', steps: 7, denoise: 1 }, { model: model() }), ref('basic.base.karras.7.sigmas')),
    ).toBeLessThan(1e-6);
    expect(
      maxRel(await sig('BasicScheduler', { scheduler: 'beta', steps: 6, denoise: 0.55 }, { model: model() }), ref('basic.base.beta.6.d0.55.sigmas')),
    ).toBeLessThan(1e-6);
    expect(
      maxRel(
        await sig('BasicScheduler', { scheduler: 'sgm_uniform', steps: 4, denoise: 1 }, { model: model({ type: 'lcm', zsnr: false }) }),
        ref('basic.lcm.sgm_uniform.4.sigmas'),
      ),
    ).toBeLessThan(1e-6);
    expect(
      maxRel(
        await sig('BasicScheduler', { scheduler: 'normal', steps: 10, denoise: 1 }, { model: model({ type: 'v_prediction', zsnr: true }) }),
        ref('basic.vzsnr.normal.10.sigmas'),
      ),
    ).toBeLessThan(1e-6);
    expect(maxRel(await sig('KarrasScheduler', { steps: 9, sigma_max: 12, sigma_min: 0.05, rho: 5 }), ref('karras.sigmas'))).toBeLessThan(2e-6);
    expect(maxRel(await sig('ExponentialScheduler', { steps: 9, sigma_max: 10, sigma_min: 0.1 }), ref('exponential.sigmas'))).toBeLessThan(2e-6);
    expect(
      maxRel(await sig('PolyexponentialScheduler', { steps: 9, sigma_max: 14.6, sigma_min: 0.03, rho: 2.5 }), ref('polyexponential.sigmas')),
    ).toBeLessThan(2e-6);
    expect(
      maxRel(await sig('LaplaceScheduler', { steps: 9, sigma_max: 14.6, sigma_min: 0.03, mu: 0.2, beta: 0.7 }), ref('laplace.sigmas')),
    ).toBeLessThan(2e-6);
    expect(maxRel(await sig('VPScheduler', { steps: 6, beta_d: 10, beta_min: 0.5, eps_s: 0.01 }), ref('vp.b.sigmas'))).toBeLessThan(2e-6);
    expect(maxRel(await sig('SDTurboScheduler', { steps: 4, denoise: 0.3 }, { model: model() }), ref('turbo.4.0.3.sigmas'))).toBeLessThan(1e-6);
    expect(
      maxRel(await sig('BetaSamplingScheduler', { steps: 9, alpha: 0.5, beta: 0.7 }, { model: model() }), ref('betasampling.sigmas')),
    ).toBeLessThan(1e-6);
    expect(maxRel(await sig('AlignYourStepsScheduler', { model_type: 'SDXL', steps: 10, denoise: 0.5 }), ref('ays.SDXL.10.0.5.sigmas'))).toBeLessThan(
      1e-6,
    );
  });

  it('sigma nodes split, flip, set and extend as ComfyUI', async () => {
    const src = { sigmas: { kind: 'sigmas', sigmas: Float32Array.from(ref('basic.base.karras.7.sigmas')) } };
    const split = await callNode('SplitSigmas', { step: 3 }, src, o);
    expect(maxRel((split.outputs.high_sigmas as SigmasValue).sigmas, ref('split.3.high'))).toBe(0);
    expect(maxRel((split.outputs.low_sigmas as SigmasValue).sigmas, ref('split.3.low'))).toBe(0);
    const splitd = await callNode('SplitSigmasDenoise', { denoise: 0.45 }, src, o);
    expect(maxRel((splitd.outputs.low_sigmas as SigmasValue).sigmas, ref('splitd.0.45.low'))).toBe(0);
    expect(maxRel(await sig('FlipSigmas', {}, src), ref('flip.sigmas'))).toBe(0);
    expect(maxRel(await sig('SetFirstSigma', { sigma: 20.5 }, src), ref('setfirst.sigmas'))).toBe(0);
    expect(
      maxRel(
        await sig('ExtendIntermediateSigmas', { steps: 3, start_at_sigma: -1, end_at_sigma: 1, spacing: 'sine' }, src),
        ref('extend.sine.sigmas'),
      ),
    ).toBeLessThan(1e-6);
  });

  it('SAMPLER and NOISE nodes carry their settings; bad input is refused by name', async () => {
    expect((await callNode('KSamplerSelect', { sampler_name: 'dpmpp_2m' }, {}, o)).outputs.SAMPLER).toEqual({ name: 'dpmpp_2m' });
    expect(
      (await callNode('SamplerDPMPP_2M_SDE', { solver_type: 'heun', eta: 0.5, s_noise: 1, noise_device: 'cpu' }, {}, o)).outputs.SAMPLER,
    ).toEqual({
      name: 'dpmpp_2m_sde',
      options: { solverType: 'heun', eta: 0.5, sNoise: 1 },
    });
    expect((await callNode('RandomNoise', { noise_seed: 42 }, {}, o)).outputs.NOISE).toEqual({ kind: 'random', seed: 42n });
    expect((await callNode('DisableNoise', {}, {}, o)).outputs.NOISE).toEqual({ kind: 'disabled' });
    await expect(callNode('FlipSigmas', {}, { sigmas: [1, 2] }, o)).rejects.toThrow(/sigmas/);
    await expect(callNode('SamplerEulerCFGpp', { version: 'alternative' }, {}, o)).rejects.toThrow(/not implemented/);
  });
});
