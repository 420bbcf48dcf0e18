import { expect, it } from 'vitest';
import { describeGolden } from '../../helpers/golden';
import { asF32 as t, goldenModels } from '../../helpers/golden-models';
import { fileComponent } from '../../helpers/model-weights';
import { createTextEncoder, createUNet } from '../../../server/runtime/models';
import { applyLoras } from '../../../server/runtime/checkpoint/lora/apply';
import { maxAbsDiff } from './support/fixtures';
import { goldenLora } from './support/golden-lora';

describeGolden('golden kohya LoRA end to end through the ONNX UNet and text encoder (CPU, fp32)', () => {
  const { model, get, cpu } = goldenModels('tiny-sd1', 'lora');

  it('text encoder at strength_clip 0.6: last_hidden_state within 1e-4', async () => {
    const base = await fileComponent(model(), 'cond_stage_model.transformer.text_model.');
    const { provider, reports } = applyLoras(base, 'clip', [{ file: await goldenLora(), strength: 0.6 }]);
    expect(reports[0].patched).toBe(12);
    const enc = await createTextEncoder(provider, cpu());
    const out = await enc.encode(get('clip.input_ids').data as Int32Array);
    expect(maxAbsDiff(out.hidden.data, get('clip.last_hidden_state').data as Float32Array)).toBeLessThanOrEqual(1e-4);
    // the unpatched encoder is far from the golden: the check above really sees the LoRA
    const plain = await (await createTextEncoder(base, cpu())).encode(get('clip.input_ids').data as Int32Array);
    expect(maxAbsDiff(plain.hidden.data, get('clip.last_hidden_state').data as Float32Array)).toBeGreaterThan(0.1);
  });

  it('UNet at strength_model 0.8: out within 1e-4', async () => {
    const base = await fileComponent(model(), 'model.diffusion_model.');
    const { provider, reports } = applyLoras(base, 'unet', [{ file: await goldenLora(), strength: 0.8 }]);
    expect(reports[0].patched).toBe(134);
    const unet = await createUNet(provider, cpu());
    const out = await unet.run(t(get('unet.x')), get('unet.timesteps').data as Float32Array, t(get('unet.context')));
    expect(maxAbsDiff(out.data, get('unet.out').data as Float32Array)).toBeLessThanOrEqual(1e-4);
  });
});
