import { describe, expect, it } from 'vitest';
import { describeGolden, golden } from '../../helpers/golden';
import { applyLoras } from '../../../server/runtime/checkpoint/lora/apply';
import { LoraNoMatchError, LoraShapeError } from '../../../server/runtime/checkpoint/lora/errors';
import { fileComponent } from '../../helpers/model-weights';
import { memoryLora, memoryProvider } from './support/fixtures';
import { goldenLora } from './support/golden-lora';
import { randT, rng } from './support/random';

const r = rng(7);
const base = () =>
  memoryProvider('b', {
    'input_blocks.0.0.weight': randT(r, [4, 4, 3, 3]),
    'output_blocks.0.0.in_layers.2.weight': randT(r, [4, 4, 3, 3]),
    'time_embed.0.weight': randT(r, [8, 4]),
  });
const lin = (o: number, i: number, rank = 2) => ({ 'lora_up.weight': randT(r, [o, rank]), 'lora_down.weight': randT(r, [rank, i]) });
const file = (name: string, modules: Record<string, Record<string, { shape: number[]; data: Float32Array }>>) =>
  memoryLora(name, new Map(Object.entries(modules).flatMap(([m, ts]) => Object.entries(ts).map(([k, v]) => [`${m}.${k}`, v] as const))));

describeGolden('LoRA for another model family', () => {
  it('names the first mismatching tensor (tiny-sd1 LoRA on the tiny-sdxl UNet and CLIP-L)', async () => {
    const file = golden('tiny-sdxl', 'model.safetensors');
    const lora = await goldenLora();
    const unet = await fileComponent(file, 'model.diffusion_model.');
    const clipL = await fileComponent(file, 'conditioner.embedders.0.');
    const u = (() => {
      try {
        applyLoras(unet, 'unet', [{ file: lora, strength: 1 }]);
      } catch (e) {
        return e;
      }
    })();
    expect(u).toBeInstanceOf(LoraShapeError);
    expect((u as LoraShapeError).message).toMatch(
      /^LoRA "tiny-sd1-lora\.safetensors" does not fit this model: lora_unet_\S+ -> \S+\.weight needs \[/,
    );
    expect(unet.has((u as LoraShapeError).tensor)).toBe(true);
    expect(() => applyLoras(clipL, 'clip_l', [{ file: lora, strength: 1 }])).toThrow(
      /lora_te_text_model_encoder_layers_0_mlp_fc1 -> transformer\.text_model\.encoder\.layers\.0\.mlp\.fc1\.weight needs \[256, 64\] but the LoRA gives \[512, 128\]/,
    );
  });
});

describe('LoRA mapping problems', () => {
  it('wrong shapes on a synthetic model name module and tensor', () => {
    const f = file('wide', { lora_unet_time_embedding_linear_1: lin(8, 5) });
    expect(() => applyLoras(base(), 'unet', [{ file: f, strength: 1 }])).toThrow(
      'LoRA "wide" does not fit this model: lora_unet_time_embedding_linear_1 -> time_embed.0.weight needs [8, 4] but the LoRA gives [8, 5]',
    );
  });

  it('a LoRA whose UNet modules all miss the model is an error; partial misses are warnings', () => {
    const none = file('none', { lora_unet_down_blocks_3_attentions_0_proj_in: lin(4, 4) });
    expect(() => applyLoras(base(), 'unet', [{ file: none, strength: 1 }])).toThrow(LoraNoMatchError);
    const some = file('some', { lora_unet_time_embedding_linear_1: lin(8, 4), lora_unet_down_blocks_3_attentions_0_proj_in: lin(4, 4) });
    const rep = applyLoras(base(), 'unet', [{ file: some, strength: 1 }]).reports[0];
    expect(rep).toMatchObject({ targeted: 2, patched: 1, unmapped: ['lora_unet_down_blocks_3_attentions_0_proj_in'] });
  });

  it('a file with no UNet or text-encoder key at all is an error', () => {
    const junk = memoryLora('junk', new Map([['foo.weight', randT(r, [2])]]));
    expect(() => applyLoras(base(), 'unet', [{ file: junk, strength: 1 }])).toThrow(/"junk" patches nothing: none of its 1 keys/);
  });

  it('reports malformed modules and unknown keys instead of guessing', () => {
    const f = memoryLora(
      'odd',
      new Map([
        ['lora_unet_time_embedding_linear_1.lora_up.weight', randT(r, [8, 2])],
        ['lora_unet_conv_in.lora_up.weight', randT(r, [4, 2])],
        ['lora_unet_conv_in.hada_w1_a', randT(r, [4, 2])],
        ['lora_unet_time_embedding_linear_1.lora_down.weight', randT(r, [2, 4])],
        ['lora_unet_time_embedding_linear_1.lora_magic', randT(r, [2])],
      ]),
    );
    const rep = applyLoras(base(), 'unet', [{ file: f, strength: 1 }]).reports[0];
    expect(rep.patched).toBe(1);
    expect(rep.unmapped).toEqual(['lora_unet_conv_in (mixes adapter kinds lora + loha)']);
    expect(rep.unrecognized).toEqual(['lora_unet_time_embedding_linear_1.lora_magic']);
  });

  it('text-encoder modules are not UNet warnings, and a UNet-only LoRA leaves the text encoder alone', () => {
    const f = file('mixed', { lora_unet_time_embedding_linear_1: lin(8, 4), lora_te_text_model_encoder_layers_0_mlp_fc1: lin(4, 4) });
    const u = applyLoras(base(), 'unet', [{ file: f, strength: 1 }]);
    expect(u.reports[0]).toMatchObject({ targeted: 1, patched: 1, unmapped: [], unrecognized: [] });
    const onlyUnet = file('u', { lora_unet_time_embedding_linear_1: lin(8, 4) });
    const te = memoryProvider('te', { 'transformer.text_model.encoder.layers.0.mlp.fc1.weight': randT(r, [4, 4]) });
    const c = applyLoras(te, 'clip', [{ file: onlyUnet, strength: 1 }]);
    expect(c.provider).toBe(te);
    expect(c.reports[0]).toMatchObject({ targeted: 0, patched: 0 });
  });

  it('rejects a non-finite strength', () => {
    const f = file('s', { lora_unet_time_embedding_linear_1: lin(8, 4) });
    expect(() => applyLoras(base(), 'unet', [{ file: f, strength: Number.NaN }])).toThrow(/strength NaN/);
  });
});
