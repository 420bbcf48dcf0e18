import { expect, it } from 'vitest';
import { describeGolden } from '../../helpers/golden';
import { asF32 as t, goldenModels } from '../../helpers/golden-models';
import { fileComponent } from '../../helpers/model-weights';
import { createTextEncoder, createUNet, createVae } from '../../../server/runtime/models';
import { backgroundSaves } from '../../../server/runtime/onnx/optimized-models';
import { sessionCache } from '../../../server/runtime/onnx/session-cache';

/**
 * Every model kind through the CPU path's three builds: optimised (marker), optimised + saved, reloaded.
 * A reloaded model must run (an earlier variant crashed onnxruntime on the text encoder) and agree exactly.
 */
async function threeBuilds<T>(make: () => Promise<T>, use: (m: T) => Promise<Float32Array[]>): Promise<void> {
  const outs: Float32Array[][] = [];
  for (let i = 0; i < 3; i++) {
    await sessionCache.clear();
    const made = await make();
    await backgroundSaves(); // the second build saves in the background; the third reloads what it saved
    outs.push(await use(made));
  }
  for (const o of outs.slice(1)) o.forEach((v, k) => expect(v).toEqual(outs[0][k]));
}

describeGolden('saved optimised models: tiny-sd1 text encoder, UNet, VAE decoder and encoder', () => {
  const { model, get, cpu } = goldenModels('tiny-sd1');
  const logged = () => {
    const lines: string[] = [];
    return { lines, opts: { ...cpu(), log: (l: string) => lines.push(l) } };
  };

  it('text encoder', async () => {
    const { lines, opts } = logged();
    const weights = await fileComponent(model(), 'cond_stage_model.transformer.text_model.');
    await threeBuilds(
      () => createTextEncoder(weights, opts),
      async (enc) => [(await enc.encode(get('clip.input_ids').data as Int32Array)).hidden.data],
    );
    expect(lines.join('\n')).toMatch(/clip: reloaded onnxruntime's optimised model/);
  });

  it('UNet', async () => {
    const { lines, opts } = logged();
    const weights = await fileComponent(model(), 'model.diffusion_model.');
    await threeBuilds(
      () => createUNet(weights, opts),
      async (u) => [(await u.run(t(get('unet.x')), get('unet.timesteps').data as Float32Array, t(get('unet.context')))).data],
    );
    expect(lines.join('\n')).toMatch(/unet: reloaded/);
  });

  it('VAE decoder and encoder', async () => {
    const { lines, opts } = logged();
    const weights = await fileComponent(model(), 'first_stage_model.');
    await threeBuilds(
      () => createVae(weights, opts),
      async (v) => {
        const post = await v.encode(t(get('vae.image')));
        return [(await v.decode(t(get('vae.z')))).data, post.mean.data, post.logvar.data];
      },
    );
    expect(lines.join('\n')).toMatch(/vae_decoder: reloaded/);
    expect(lines.join('\n')).toMatch(/vae_encoder: reloaded/);
  });
});

describeGolden('saved optimised models: tiny-sdxl towers and UNet', () => {
  const { model, get, cpu } = goldenModels('tiny-sdxl');

  it('CLIP-L, OpenCLIP bigG with pooled output, UNet with y', async () => {
    const lines: string[] = [];
    const opts = { ...cpu(), log: (l: string) => lines.push(l) };
    const l = await fileComponent(model(), 'conditioner.embedders.0.transformer.text_model.');
    const g = await fileComponent(model(), 'conditioner.embedders.1.model.');
    const u = await fileComponent(model(), 'model.diffusion_model.');
    await threeBuilds(
      () => createTextEncoder(l, opts),
      async (e) => [(await e.encode(get('clip_l.input_ids').data as Int32Array, { layer: -2, finalNorm: false })).hidden.data],
    );
    await threeBuilds(
      () => createTextEncoder(g, opts),
      async (e) => {
        const out = await e.encode(get('clip_g.input_ids').data as Int32Array);
        return [out.hidden.data, out.pooled!.data];
      },
    );
    await threeBuilds(
      () => createUNet(u, opts),
      async (n) => [(await n.run(t(get('unet.x')), get('unet.timesteps').data as Float32Array, t(get('unet.context')), t(get('unet.y')))).data],
    );
    expect(lines.filter((x) => x.includes('reloaded')).length).toBeGreaterThanOrEqual(3);
  });
});
