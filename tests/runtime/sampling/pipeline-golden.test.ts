import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUNet, type UNetRunner } from '@/server/runtime/models';
import { sessionCache } from '@/server/runtime/onnx/session-cache';
import { WeightCache } from '@/server/runtime/onnx/weights-cache';
import { cfgDenoiser, type ModelApply } from '@/server/runtime/sampling/cfg';
import { kSample } from '@/server/runtime/sampling/ksampler';
import { ModelSamplingDiscrete } from '@/server/runtime/sampling/model-sampling';
import { sample } from '@/server/runtime/sampling/samplers';
import { TorchGenerator } from '@/server/runtime/sampling/rng';
import { describeGolden, golden } from '../../helpers/golden';
import { fileComponent } from '../../helpers/model-weights';
import { readGoldenTensors, type GoldenTensor } from '../../helpers/read-golden';

/** max |a − b| / max |b|, the README's suggested measure for the non-denoising random UNet. */
function relToMax(a: Float32Array, b: ArrayLike<number>): number {
  let m = 0;
  let big = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i] - b[i]));
    big = Math.max(big, Math.abs(b[i]));
  }
  return m / big;
}

describeGolden('tiny-sd1 text-to-image sampling (euler/normal, 6 steps, cfg 7.5)', () => {
  let g: Map<string, GoldenTensor>;
  let unet: UNetRunner;
  let cacheDir: string;
  let model: ModelApply<Float32Array>;
  let cond: Float32Array;
  let uncond: Float32Array;
  const ms = new ModelSamplingDiscrete('eps');
  const shape = [1, 4, 8, 8];

  beforeAll(async () => {
    g = await readGoldenTensors(golden('tiny-sd1', 'golden.safetensors'));
    cacheDir = mkdtempSync(path.join(tmpdir(), 'loom-wc-'));
    const weights = await fileComponent(golden('tiny-sd1', 'model.safetensors'), 'model.diffusion_model.');
    unet = await createUNet(weights, { device: 'cpu', cache: new WeightCache({ dir: cacheDir }), log: () => {} });
    const ctx = g.get('clip.last_hidden_state')!.data as Float32Array; // rows: "a photo of a cat", ""
    const rowLen = 77 * 128;
    cond = ctx.slice(0, rowLen);
    uncond = ctx.slice(rowLen, 2 * rowLen);
    model = async (xIn, s, t, conds) => {
      const context = new Float32Array(conds.length * rowLen);
      conds.forEach((c, b) => context.set(c, b * rowLen));
      const out = await unet.run({ data: xIn, shape: [...s] }, new Float32Array(s[0]).fill(t), { data: context, shape: [conds.length, 77, 128] });
      return out.data;
    };
  });
  afterAll(async () => {
    await sessionCache.clear();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('kSample (ComfyUI KSampler, seed 1434) matches pipe_q.latent_out', async () => {
    const out = await kSample({
      modelSampling: ms,
      model,
      cond,
      uncond,
      cfg: 7.5,
      latent: new Float32Array(256),
      shape,
      seed: 1434,
      sampler: 'euler',
      scheduler: 'normal',
      steps: 6,
    });
    expect(relToMax(out, g.get('pipe_q.latent_out')!.data)).toBeLessThan(1e-3);
    // The σ0 start (k-diffusion convention) ends measurably elsewhere: the test can tell them apart.
    expect(relToMax(out, g.get('pipe_q_sigma0.latent_out')!.data)).toBeGreaterThan(1e-3);
  });

  it('k-diffusion convention (unquantized t, start noise·σ0) matches pipe.latent_out', async () => {
    const ts: number[] = [];
    const spy: ModelApply<Float32Array> = async (x, s, t, c) => {
      ts.push(t);
      return model(x, s, t, c);
    };
    const dSpy = cfgDenoiser({ modelSampling: ms, model: spy, cond, uncond, cfg: 7.5, shape, timesteps: 'continuous' });
    const sigmas = g.get('pipe.sigmas')!.data;
    const out = await sample('euler', dSpy, g.get('pipe.x_init')!.data as Float32Array, sigmas, { shape });
    const refT = g.get('pipe.timesteps')!.data;
    ts.forEach((t, i) => expect(Math.abs(t - refT[i])).toBeLessThan(1e-3));
    expect(relToMax(out, g.get('pipe.latent_out')!.data)).toBeLessThan(1e-3);
  });
});

interface SdxlCond {
  context: Float32Array;
  y: Float32Array;
}

describeGolden('tiny-sdxl text-to-image sampling (euler/normal, 6 steps, cfg 7.0, y vector)', () => {
  let g: Map<string, GoldenTensor>;
  let unet: UNetRunner;
  let cacheDir: string;
  const ms = new ModelSamplingDiscrete('eps');
  const shape = [1, 4, 8, 8];
  const rowLen = 77 * 192;

  beforeAll(async () => {
    g = await readGoldenTensors(golden('tiny-sdxl', 'golden.safetensors'));
    cacheDir = mkdtempSync(path.join(tmpdir(), 'loom-wc-'));
    const weights = await fileComponent(golden('tiny-sdxl', 'model.safetensors'), 'model.diffusion_model.');
    unet = await createUNet(weights, { device: 'cpu', cache: new WeightCache({ dir: cacheDir }), log: () => {} });
  });
  afterAll(async () => {
    await sessionCache.clear();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('kSample (seed 3533) matches pipe_q.latent_out', async () => {
    const ctx = g.get('cond.crossattn')!.data as Float32Array; // rows: "a photo of a cat", ""
    const cond: SdxlCond = { context: ctx.slice(0, rowLen), y: g.get('pipe_q.y_cond')!.data as Float32Array };
    const uncond: SdxlCond = { context: ctx.slice(rowLen, 2 * rowLen), y: g.get('pipe_q.y_uncond')!.data as Float32Array };
    const model: ModelApply<SdxlCond> = async (xIn, s, t, conds) => {
      const context = new Float32Array(conds.length * rowLen);
      const y = new Float32Array(conds.length * 1664);
      conds.forEach((c, b) => {
        context.set(c.context, b * rowLen);
        y.set(c.y, b * 1664);
      });
      const out = await unet.run(
        { data: xIn, shape: [...s] },
        new Float32Array(s[0]).fill(t),
        { data: context, shape: [conds.length, 77, 192] },
        { data: y, shape: [conds.length, 1664] },
      );
      return out.data;
    };
    const out = await kSample({
      modelSampling: ms,
      model,
      cond,
      uncond,
      cfg: 7,
      latent: new Float32Array(256),
      shape,
      seed: 3533,
      sampler: 'euler',
      scheduler: 'normal',
      steps: 6,
    });
    expect(Array.from(new TorchGenerator(3533).randn(shape))).toEqual(Array.from(g.get('pipe_q.noise')!.data));
    expect(relToMax(out, g.get('pipe_q.latent_out')!.data)).toBeLessThan(1e-3);
    expect(relToMax(out, g.get('pipe_q_sigma0.latent_out')!.data)).toBeGreaterThan(1e-3);
  });
});
