import { expect, it } from 'vitest';
import { describeGolden } from '../../helpers/golden';
import { asF32 as t, goldenModels } from '../../helpers/golden-models';
import { fileComponent } from '../../helpers/model-weights';
import { maxAbsDiff } from '../../helpers/compare';
import { createTextEncoder, createUNet, createVae } from '../../../server/runtime/models';

describeGolden('tiny-sd1 numerics against the reference goldens (CPU, fp32)', () => {
  const { model, get, cpu } = goldenModels('tiny-sd1');

  it('CLIP: last_hidden_state, penultimate, penultimate + final LN', async () => {
    const weights = await fileComponent(model(), 'cond_stage_model.transformer.text_model.');
    const enc = await createTextEncoder(weights, cpu());
    expect(enc.config).toMatchObject({ layout: 'hf', width: 128, layers: 2, heads: 2, intermediate: 512, vocab: 49408, positions: 77 });
    const ids = get('clip.input_ids').data as Int32Array;
    const last = await enc.encode(ids);
    expect(last.hidden.shape).toEqual([2, 77, 128]);
    expect(maxAbsDiff(last.hidden.data, get('clip.last_hidden_state').data)).toBeLessThanOrEqual(1e-4);
    const pen = await enc.encode(ids, { layer: -2, finalNorm: false });
    expect(maxAbsDiff(pen.hidden.data, get('clip.hidden_states_penultimate').data)).toBeLessThanOrEqual(1e-4);
    const penLn = await enc.encode(ids, { layer: -2 });
    expect(maxAbsDiff(penLn.hidden.data, get('clip.hidden_states_penultimate_final_ln').data)).toBeLessThanOrEqual(1e-4);
  });

  it.each(['fused', 'standard'] as const)('UNet (%s attention): square batch 2 and non-square fractional timestep', async (attention) => {
    const weights = await fileComponent(model(), 'model.diffusion_model.');
    const unet = await createUNet(weights, { ...cpu(), attention });
    expect(unet.config).toMatchObject({
      modelChannels: 32,
      channelMult: [1, 2, 2],
      numResBlocks: [2, 2, 2],
      transformerDepth: [0, 1, 1],
      transformerDepthMiddle: 1,
      transformerDepthOutput: [1, 1, 1, 1, 1, 1, 0, 0, 0],
      contextDim: 128,
      heads: { numHeads: 8 },
      linearProjection: false,
    });
    const out = await unet.run(t(get('unet.x')), get('unet.timesteps').data as Float32Array, t(get('unet.context')));
    expect(out.shape).toEqual([2, 4, 8, 8]);
    expect(maxAbsDiff(out.data, get('unet.out').data)).toBeLessThanOrEqual(1e-4);
    const out2 = await unet.run(t(get('unet2.x')), get('unet2.timesteps').data as Float32Array, t(get('unet2.context')));
    expect(out2.shape).toEqual([1, 4, 8, 12]);
    expect(maxAbsDiff(out2.data, get('unet2.out').data)).toBeLessThanOrEqual(1e-4);
  });

  it.each(['fused', 'standard'] as const)('VAE (%s attention): decode z and encode image to mean/logvar', async (attention) => {
    const weights = await fileComponent(model(), 'first_stage_model.');
    const vae = await createVae(weights, { ...cpu(), attention });
    expect(vae.config).toMatchObject({ ch: 32, chMult: [1, 2, 2, 2], numResBlocks: 1, zChannels: 4, embedDim: 4 });
    const img = await vae.decode(t(get('vae.z')));
    expect(img.shape).toEqual([1, 3, 64, 64]);
    expect(maxAbsDiff(img.data, get('vae.decoded').data)).toBeLessThanOrEqual(1e-4);
    const post = await vae.encode(t(get('vae.image')));
    expect(maxAbsDiff(post.mean.data, get('vae.posterior_mean').data)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(post.logvar.data, get('vae.posterior_logvar').data)).toBeLessThanOrEqual(1e-4);
  });

  it('VAE: fused and standard attention agree on a 40x48 latent (1,920 tokens), decode and encode', async () => {
    const weights = await fileComponent(model(), 'first_stage_model.');
    const [fused, standard] = await Promise.all([
      createVae(weights, { ...cpu(), attention: 'fused' }),
      createVae(weights, { ...cpu(), attention: 'standard' }),
    ]);
    const z = { shape: [1, 4, 40, 48], data: Float32Array.from({ length: 4 * 40 * 48 }, (_, i) => Math.sin(i * 0.37) * 1.5) };
    const [a, b] = [await fused.decode(z), await standard.decode(z)];
    expect(a.shape).toEqual([1, 3, 320, 384]);
    expect(maxAbsDiff(a.data, b.data)).toBeLessThanOrEqual(1e-4);
    const [ea, eb] = [await fused.encode(a), await standard.encode(a)];
    expect(maxAbsDiff(ea.mean.data, eb.mean.data)).toBeLessThanOrEqual(1e-4);
  });
});
