import { expect, it } from 'vitest';
import { describeGolden, golden } from '../../helpers/golden';
import { readGoldenTensors } from '../../helpers/read-golden';
import { applyLorasToModel } from '../../../server/runtime/checkpoint/lora/model';
import { maxAbsDiff, memoryLora } from './support/fixtures';
import { goldenLora, tinySd1 } from './support/golden-lora';
import { randT, rng } from './support/random';

describeGolden('applyLorasToModel on tiny-sd1', () => {
  it('patches UNet at strengthModel and CLIP at strengthClip, with one report per LoRA', async () => {
    const [{ unet, clip }, lora, ref] = await Promise.all([tinySd1(), goldenLora(), readGoldenTensors(golden('lora', 'golden.safetensors'))]);
    const { components, reports } = applyLorasToModel({ unet, clip }, [{ file: lora, strengthModel: 0.8, strengthClip: 0.6 }]);
    const q = 'transformer.text_model.encoder.layers.0.self_attn.q_proj.weight';
    expect(maxAbsDiff(await components.clip!.float32(q), ref.get(`patched.cond_stage_model.${q}`)!.data as Float32Array)).toBeLessThanOrEqual(1e-6);
    const toQ = 'input_blocks.4.1.transformer_blocks.0.attn1.to_q.weight';
    expect(
      maxAbsDiff(await components.unet!.float32(toQ), ref.get(`patched.model.diffusion_model.${toQ}`)!.data as Float32Array),
    ).toBeLessThanOrEqual(1e-6);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ lora: 'tiny-sd1-lora.safetensors', unmapped: [], warning: undefined });
    expect(reports[0].components.map((c) => [c.component, c.patched])).toEqual([
      ['unet', 134],
      ['clip', 12],
    ]);
  });

  it('warns with the LoRA name about modules for a text encoder the model does not have', async () => {
    const { unet, clip } = await tinySd1();
    const r = rng(9);
    const f = memoryLora(
      'xl-extra',
      new Map([
        ['lora_unet_time_embedding_linear_1.lora_up.weight', randT(r, [128, 2])],
        ['lora_unet_time_embedding_linear_1.lora_down.weight', randT(r, [2, 32])],
        ['lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_up.weight', randT(r, [4, 2])],
        ['lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_down.weight', randT(r, [2, 4])],
      ]),
    );
    const { reports } = applyLorasToModel({ unet, clip }, [{ file: f, strengthModel: 1, strengthClip: 1 }]);
    expect(reports[0].unmapped).toEqual(['lora_te2_text_model_encoder_layers_0_mlp_fc1 (this model has no clip_g)']);
    expect(reports[0].warning).toMatch(/^LoRA "xl-extra": 1 key could not be mapped: lora_te2_/);
  });
});
