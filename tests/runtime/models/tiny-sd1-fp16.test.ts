import { expect, it } from 'vitest';
import { describeGolden } from '../../helpers/golden';
import { asF32 as t, goldenModels } from '../../helpers/golden-models';
import type { GoldenTensor } from '../../helpers/read-golden';
import { fileComponent } from '../../helpers/model-weights';
import { maxAbs, maxAbsDiff } from '../../helpers/compare';
import { createTextEncoder, createUNet, createVae } from '../../../server/runtime/models';

/** fp16 keeps ~3 decimal digits; measured here ≤ 1.1e-3 of the reference's max (UNet), so 5e-3 leaves headroom */
const TOL = 5e-3;

/**
 * The fp16 graphs GPU providers get, run here on the CPU provider (onnxruntime runs fp16 graphs there too):
 * the same graphs, so this checks the fp16 casts, constants and weight binding, within fp16's precision of the reference.
 */
describeGolden('tiny-sd1 fp16 graphs against the reference goldens', () => {
  const { model, get, cpu } = goldenModels('tiny-sd1');
  const rel = (a: Float32Array, ref: GoldenTensor) => maxAbsDiff(a, ref.data) / maxAbs(ref.data);
  const opts = () => ({ ...cpu(), precision: 'float16' as const });

  it('CLIP', async () => {
    const enc = await createTextEncoder(await fileComponent(model(), 'cond_stage_model.transformer.text_model.'), opts());
    const ids = get('clip.input_ids').data as Int32Array;
    const last = await enc.encode(ids);
    expect(last.hidden.data).toBeInstanceOf(Float32Array);
    expect(rel(last.hidden.data, get('clip.last_hidden_state'))).toBeLessThanOrEqual(TOL);
    const pen = await enc.encode(ids, { layer: -2, finalNorm: false });
    expect(rel(pen.hidden.data, get('clip.hidden_states_penultimate'))).toBeLessThanOrEqual(TOL);
  });

  it.each(['fused', 'standard'] as const)('UNet (%s attention)', async (attention) => {
    const unet = await createUNet(await fileComponent(model(), 'model.diffusion_model.'), { ...opts(), attention });
    const out = await unet.run(t(get('unet.x')), get('unet.timesteps').data as Float32Array, t(get('unet.context')));
    expect(rel(out.data, get('unet.out'))).toBeLessThanOrEqual(TOL);
    const out2 = await unet.run(t(get('unet2.x')), get('unet2.timesteps').data as Float32Array, t(get('unet2.context')));
    expect(out2.shape).toEqual([1, 4, 8, 12]);
    expect(rel(out2.data, get('unet2.out'))).toBeLessThanOrEqual(TOL);
  });

  it('VAE', async () => {
    const vae = await createVae(await fileComponent(model(), 'first_stage_model.'), opts());
    const img = await vae.decode(t(get('vae.z')));
    expect(rel(img.data, get('vae.decoded'))).toBeLessThanOrEqual(TOL);
    const post = await vae.encode(t(get('vae.image')));
    expect(rel(post.mean.data, get('vae.posterior_mean'))).toBeLessThanOrEqual(TOL);
    expect(rel(post.logvar.data, get('vae.posterior_logvar'))).toBeLessThanOrEqual(TOL);
  });
});
