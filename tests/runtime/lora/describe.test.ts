import { describe, expect, it } from 'vitest';
import { describeGolden, golden } from '../../helpers/golden';
import { describeLora, formatLoraDescription } from '../../../server/cli/commands/inspect-lora';
import { describeLoraSource } from '../../../server/runtime/checkpoint/lora/describe';
import { memoryLora } from './support/fixtures';
import { randT, rng } from './support/random';

const r = rng(3);
type Entry = [string, { shape: number[]; data: Float32Array }];
const lin = (m: string, o: number, i: number, rank = 4): Entry[] => [
  [`${m}.lora_up.weight`, randT(r, [o, rank])],
  [`${m}.lora_down.weight`, randT(r, [rank, i])],
  [`${m}.alpha`, { shape: [], data: Float32Array.of(1) }],
];

describeGolden('describeLora on the golden kohya LoRA', () => {
  it('reports format, rank, alpha, targets and (for the tiny model) no real family', async () => {
    const d = await describeLora(golden('lora', 'tiny-sd1-lora.safetensors'));
    expect(d).toMatchObject({
      name: 'tiny-sd1-lora.safetensors',
      tensors: 438,
      modules: 146,
      formats: expect.arrayContaining(['LoRA', 'LoCon']),
      namings: ['kohya'],
      adapters: { lora: 146 },
      ranks: [4],
      alphas: [2],
      unet: { modules: 134 },
      textEncoders: { te: 12 },
      contextDim: 128,
      textHidden: [128],
      family: undefined,
      metadataFamily: 'sd1',
      malformed: [],
      unrecognized: [],
    });
    expect(d.unet.blocks).toMatchObject({ 'down_blocks.0': 1, 'down_blocks.1': 24, mid_block: 12, 'up_blocks.1': 37 });
    expect(d.metadata.ss_network_dim).toBe('4');
    expect(formatLoraDescription(d)).toContain('rank 4, alpha 2');
    expect(formatLoraDescription(d)).toContain('training metadata says sd1');
  });
});

describe('describeLoraSource: base family', () => {
  it('SD1 by a 768-wide context, SD2 by 1024, SDXL by te2 or 2048', async () => {
    const ctx = (w: number) => memoryLora(`c${w}`, new Map([...lin('lora_unet_mid_block_attentions_0_transformer_blocks_0_attn2_to_k', 64, w)]));
    expect((await describeLoraSource(ctx(768))).family).toBe('sd1');
    expect((await describeLoraSource(ctx(1024))).family).toBe('sd2');
    expect((await describeLoraSource(ctx(2048))).family).toBe('sdxl');
    const xl = memoryLora(
      'xl',
      new Map([
        ...lin('lora_te1_text_model_encoder_layers_0_self_attn_q_proj', 8, 8),
        ...lin('lora_te2_text_model_encoder_layers_0_self_attn_q_proj', 8, 8),
      ]),
    );
    const d = await describeLoraSource(xl);
    expect(d).toMatchObject({ family: 'sdxl', textEncoders: { te1: 1, te2: 1 } });
  });

  it('names LyCORIS and PEFT forms, DoRA, and files without alpha', async () => {
    const f = memoryLora(
      'mix',
      new Map([
        ['unet.mid_block.attentions.0.proj_in.lora_A.weight', randT(r, [2, 8])],
        ['unet.mid_block.attentions.0.proj_in.lora_B.weight', randT(r, [8, 2])],
        ['lora_unet_conv_in.hada_w1_a', randT(r, [8, 3])],
        ['lora_unet_conv_in.hada_w1_b', randT(r, [3, 8])],
        ['lora_unet_conv_in.hada_w2_a', randT(r, [8, 3])],
        ['lora_unet_conv_in.hada_w2_b', randT(r, [3, 8])],
        ['lora_unet_conv_in.dora_scale', randT(r, [8, 1])],
        ['lora_unet_conv_out.lokr_w1', randT(r, [2, 2])],
        ['lora_unet_conv_out.lokr_w2', randT(r, [2, 2])],
      ]),
    );
    const d = await describeLoraSource(f);
    expect(new Set(d.formats)).toEqual(new Set(['LoRA', 'LoHa', 'DoRA', 'LoKr']));
    expect(new Set(d.namings)).toEqual(new Set(['peft', 'lycoris']));
    expect(d.ranks).toEqual([2, 3]);
    expect(d.alphas).toEqual([]);
    expect(formatLoraDescription(d)).toContain('none stored (scale 1)');
  });
});
