import { expect, it } from 'vitest';
import { describeGolden } from '../../helpers/golden';
import { asF32 as t, goldenModels } from '../../helpers/golden-models';
import { fileComponent } from '../../helpers/model-weights';
import { maxAbsDiff } from '../../helpers/compare';
import { createTextEncoder, createUNet, createVae } from '../../../server/runtime/models';

describeGolden('tiny-sdxl: label_emb seam, per-level depths, linear projections, both text towers', () => {
  const { model, get, cpu } = goldenModels('tiny-sdxl');

  it('UNet with y: square batch 2 and non-square', async () => {
    const unet = await createUNet(await fileComponent(model(), 'model.diffusion_model.'), cpu());
    expect(unet.config).toMatchObject({
      modelChannels: 64,
      channelMult: [1, 2],
      numResBlocks: [2, 2],
      transformerDepth: [0, 2],
      transformerDepthMiddle: 2,
      transformerDepthOutput: [2, 2, 2, 0, 0, 0],
      contextDim: 192,
      heads: { headChannels: 64 },
      linearProjection: true,
      admInChannels: 1664,
    });
    const out = await unet.run(t(get('unet.x')), get('unet.timesteps').data as Float32Array, t(get('unet.context')), t(get('unet.y')));
    expect(maxAbsDiff(out.data, get('unet.out').data)).toBeLessThanOrEqual(1e-4);
    const out2 = await unet.run(t(get('unet2.x')), get('unet2.timesteps').data as Float32Array, t(get('unet2.context')), t(get('unet2.y')));
    expect(out2.shape).toEqual([1, 4, 8, 12]);
    expect(maxAbsDiff(out2.data, get('unet2.out').data)).toBeLessThanOrEqual(1e-4);
  });

  it('CLIP-L penultimate without final LN; OpenCLIP bigG penultimate, last_ln and pooled', async () => {
    const clipL = await createTextEncoder(await fileComponent(model(), 'conditioner.embedders.0.transformer.text_model.'), cpu());
    const l = await clipL.encode(get('clip_l.input_ids').data as Int32Array, { layer: -2, finalNorm: false });
    expect(maxAbsDiff(l.hidden.data, get('clip_l.penultimate').data)).toBeLessThanOrEqual(1e-4);
    const clipG = await createTextEncoder(await fileComponent(model(), 'conditioner.embedders.1.model.'), cpu());
    expect(clipG.config).toMatchObject({ layout: 'openclip', width: 128, layers: 3, heads: 2, activation: 'gelu', projectionDim: 128 });
    const ids = get('clip_g.input_ids').data as Int32Array;
    const pen = await clipG.encode(ids, { layer: -2, finalNorm: false });
    expect(maxAbsDiff(pen.hidden.data, get('clip_g.penultimate').data)).toBeLessThanOrEqual(1e-4);
    const last = await clipG.encode(ids);
    expect(maxAbsDiff(last.hidden.data, get('clip_g.last_ln').data)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(last.pooled!.data, get('cond.pooled').data)).toBeLessThanOrEqual(1e-4);
  });

  it('VAE decode and encode', async () => {
    const vae = await createVae(await fileComponent(model(), 'first_stage_model.'), cpu());
    expect(maxAbsDiff((await vae.decode(t(get('vae.z')))).data, get('vae.decoded').data)).toBeLessThanOrEqual(1e-4);
    const post = await vae.encode(t(get('vae.image')));
    expect(maxAbsDiff(post.mean.data, get('vae.posterior_mean').data)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(post.logvar.data, get('vae.posterior_logvar').data)).toBeLessThanOrEqual(1e-4);
  });
});
