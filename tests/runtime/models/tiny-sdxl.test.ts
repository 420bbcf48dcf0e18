import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../../helpers/read-golden';
import { fileComponent } from '../../helpers/model-weights';
import { maxAbsDiff } from '../../helpers/compare';
import { createTextEncoder, createUNet, createVae, type F32Tensor } from '../../../server/runtime/models';
import { WeightCache } from '../../../server/runtime/onnx/weights-cache';
import { sessionCache } from '../../../server/runtime/onnx/session';

const t = (g: GoldenTensor): F32Tensor => ({ data: g.data as Float32Array, shape: g.shape });

describeGolden('tiny-sdxl: label_emb seam, per-level depths, linear projections, both text towers', () => {
  let gold: Map<string, GoldenTensor>;
  let cacheDir: string;
  let cache: WeightCache;
  const model = () => golden('tiny-sdxl', 'model.safetensors');
  const get = (k: string) => {
    const v = gold.get(k);
    if (!v) throw new Error(`golden ${k} missing`);
    return v;
  };
  beforeAll(async () => {
    gold = await readGoldenTensors(golden('tiny-sdxl', 'golden.safetensors'));
    cacheDir = mkdtempSync(path.join(tmpdir(), 'loom-wc-'));
    cache = new WeightCache({ dir: cacheDir });
  });
  afterAll(async () => {
    await sessionCache.clear();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('UNet with y: square batch 2 and non-square', async () => {
    const unet = await createUNet(await fileComponent(model(), 'model.diffusion_model.'), { device: 'cpu', cache, log: () => {} });
    expect(unet.config).toMatchObject({
      modelChannels: 64, channelMult: [1, 2], numResBlocks: [2, 2], transformerDepth: [0, 2], transformerDepthMiddle: 2,
      transformerDepthOutput: [2, 2, 2, 0, 0, 0], contextDim: 192, heads: { headChannels: 64 }, linearProjection: true, admInChannels: 1664,
    });
    const out = await unet.run(t(get('unet.x')), get('unet.timesteps').data as Float32Array, t(get('unet.context')), t(get('unet.y')));
    expect(maxAbsDiff(out.data, get('unet.out').data)).toBeLessThanOrEqual(1e-4);
    const out2 = await unet.run(t(get('unet2.x')), get('unet2.timesteps').data as Float32Array, t(get('unet2.context')), t(get('unet2.y')));
    expect(out2.shape).toEqual([1, 4, 8, 12]);
    expect(maxAbsDiff(out2.data, get('unet2.out').data)).toBeLessThanOrEqual(1e-4);
  });

  it('CLIP-L penultimate without final LN; OpenCLIP bigG penultimate, last_ln and pooled', async () => {
    const clipL = await createTextEncoder(await fileComponent(model(), 'conditioner.embedders.0.transformer.text_model.'), { device: 'cpu', cache, log: () => {} });
    const l = await clipL.encode(get('clip_l.input_ids').data as Int32Array, { layer: -2, finalNorm: false });
    expect(maxAbsDiff(l.hidden.data, get('clip_l.penultimate').data)).toBeLessThanOrEqual(1e-4);
    const clipG = await createTextEncoder(await fileComponent(model(), 'conditioner.embedders.1.model.'), { device: 'cpu', cache, log: () => {} });
    expect(clipG.config).toMatchObject({ layout: 'openclip', width: 128, layers: 3, heads: 2, activation: 'gelu', projectionDim: 128 });
    const ids = get('clip_g.input_ids').data as Int32Array;
    const pen = await clipG.encode(ids, { layer: -2, finalNorm: false });
    expect(maxAbsDiff(pen.hidden.data, get('clip_g.penultimate').data)).toBeLessThanOrEqual(1e-4);
    const last = await clipG.encode(ids);
    expect(maxAbsDiff(last.hidden.data, get('clip_g.last_ln').data)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(last.pooled!.data, get('cond.pooled').data)).toBeLessThanOrEqual(1e-4);
  });

  it('VAE decode and encode', async () => {
    const vae = await createVae(await fileComponent(model(), 'first_stage_model.'), { device: 'cpu', cache, log: () => {} });
    expect(maxAbsDiff((await vae.decode(t(get('vae.z')))).data, get('vae.decoded').data)).toBeLessThanOrEqual(1e-4);
    const post = await vae.encode(t(get('vae.image')));
    expect(maxAbsDiff(post.mean.data, get('vae.posterior_mean').data)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(post.logvar.data, get('vae.posterior_logvar').data)).toBeLessThanOrEqual(1e-4);
  });
});
