import { describe, expect, it } from 'vitest';
import { unetLayoutFromNames } from '../../../server/runtime/checkpoint/lora/names/unet-layout';
import { unetModulePairs } from '../../../server/runtime/checkpoint/lora/names/unet-diffusers';
import { buildKeyMap } from '../../../server/runtime/checkpoint/lora/names/key-map';
import { memoryProvider } from './support/fixtures';
import { ldmUnetNames } from './support/ldm-names';

function pairsFor(names: string[]): Map<string, string> {
  return new Map(unetModulePairs(unetLayoutFromNames(names)).map((p) => [p.diffusers, p.ldm]));
}

const providerOf = (names: string[]) => memoryProvider('t', Object.fromEntries(names.map((n) => [n, { shape: [1], data: new Float32Array(1) }])));

describe('UNet LDM <-> diffusers names, derived from the layout', () => {
  // SDXL base: 3 levels, no attention at level 0, depth 2 and 10 (10 shortened to 3 here), adm
  const sdxl = ldmUnetNames(
    [
      { res: 2, depth: 0 },
      { res: 2, depth: 2 },
      { res: 2, depth: 3 },
    ],
    3,
    true,
  );

  it('reads the layout of an SDXL-like UNet', () => {
    expect(unetLayoutFromNames(sdxl)).toEqual({
      numResBlocks: [2, 2, 2],
      transformerDepth: [0, 0, 2, 2, 3, 3],
      transformerDepthMiddle: 3,
      transformerDepthOutput: [3, 3, 3, 2, 2, 2, 0, 0, 0],
    });
  });

  it('maps SDXL blocks as ComfyUI unet_to_diffusers does', () => {
    const m = pairsFor(sdxl);
    const expected: Record<string, string> = {
      conv_in: 'input_blocks.0.0',
      'time_embedding.linear_2': 'time_embed.2',
      'add_embedding.linear_1': 'label_emb.0.0',
      conv_norm_out: 'out.0',
      conv_out: 'out.2',
      'down_blocks.0.resnets.1.conv2': 'input_blocks.2.0.out_layers.3',
      'down_blocks.0.downsamplers.0.conv': 'input_blocks.3.0.op',
      'down_blocks.1.resnets.0.conv_shortcut': 'input_blocks.4.0.skip_connection',
      'down_blocks.1.attentions.1.transformer_blocks.1.attn1.to_q': 'input_blocks.5.1.transformer_blocks.1.attn1.to_q',
      'down_blocks.1.downsamplers.0.conv': 'input_blocks.6.0.op',
      'down_blocks.2.attentions.0.proj_in': 'input_blocks.7.1.proj_in',
      'mid_block.resnets.0.norm1': 'middle_block.0.in_layers.0',
      'mid_block.attentions.0.transformer_blocks.2.ff.net.0.proj': 'middle_block.1.transformer_blocks.2.ff.net.0.proj',
      'mid_block.resnets.1.time_emb_proj': 'middle_block.2.emb_layers.1',
      'up_blocks.0.resnets.0.conv1': 'output_blocks.0.0.in_layers.2',
      'up_blocks.0.attentions.2.transformer_blocks.2.ff.net.2': 'output_blocks.2.1.transformer_blocks.2.ff.net.2',
      'up_blocks.0.upsamplers.0.conv': 'output_blocks.2.2.conv',
      'up_blocks.1.attentions.0.proj_out': 'output_blocks.3.1.proj_out',
      'up_blocks.1.upsamplers.0.conv': 'output_blocks.5.2.conv',
      'up_blocks.2.resnets.2.conv_shortcut': 'output_blocks.8.0.skip_connection',
    };
    for (const [d, l] of Object.entries(expected)) expect(m.get(d), d).toBe(l);
    expect(m.has('down_blocks.0.attentions.0.proj_in')).toBe(false);
    expect(m.has('down_blocks.2.downsamplers.0.conv')).toBe(false);
    expect(m.has('up_blocks.2.upsamplers.0.conv')).toBe(false);
  });

  it('puts the upsampler at index 1 when the level has no attention (real SD1: channel_mult [1,2,4,4])', () => {
    const sd1 = ldmUnetNames(
      [
        { res: 2, depth: 1 },
        { res: 2, depth: 1 },
        { res: 2, depth: 1 },
        { res: 2, depth: 0 },
      ],
      1,
    );
    const m = pairsFor(sd1);
    expect(m.get('up_blocks.0.upsamplers.0.conv')).toBe('output_blocks.2.1.conv');
    expect(m.get('up_blocks.1.upsamplers.0.conv')).toBe('output_blocks.5.2.conv');
    expect(m.get('down_blocks.2.downsamplers.0.conv')).toBe('input_blocks.9.0.op');
    expect(m.get('up_blocks.3.attentions.2.transformer_blocks.0.attn2.to_out.0')).toBe('output_blocks.11.1.transformer_blocks.0.attn2.to_out.0');
    // every pair whose LDM module exists points at a real weight
    const names = new Set(sd1);
    const mapped = unetModulePairs(unetLayoutFromNames(sd1)).filter((p) => names.has(`${p.ldm}.weight`));
    expect(mapped.length).toBe(sd1.length);
  });

  it('accepts kohya, PEFT, diffusers-processor, SGM-style and generic LDM spellings', () => {
    const sdxl2 = buildKeyMap('unet', providerOf(sdxl));
    const target = 'input_blocks.4.1.transformer_blocks.0.attn1.to_out.0.weight';
    for (const alias of [
      'lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn1_to_out_0',
      'unet.down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_out.0',
      'unet.down_blocks.1.attentions.0.transformer_blocks.0.attn1.processor.to_out',
      'down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_out.0',
      'lycoris_down_blocks_1_attentions_0_transformer_blocks_0_attn1_to_out_0',
      'lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_out_0',
      'diffusion_model.input_blocks.4.1.transformer_blocks.0.attn1.to_out.0',
    ]) {
      expect(sdxl2.targets.get(alias)?.weight.name, alias).toBe(target);
    }
  });
});

describe('text encoder names', () => {
  const d = 8;
  const w = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  const openclip = memoryProvider('g', {
    'model.transformer.resblocks.1.attn.in_proj_weight': w([3 * d, d]),
    'model.transformer.resblocks.1.attn.in_proj_bias': w([3 * d]),
    'model.transformer.resblocks.1.attn.out_proj.weight': w([d, d]),
    'model.transformer.resblocks.1.mlp.c_fc.weight': w([4 * d, d]),
    'model.transformer.resblocks.1.mlp.c_proj.weight': w([d, 4 * d]),
  });

  it('cuts q/k/v out of the packed OpenCLIP in_proj_weight (SDXL te2 / SD2 te)', () => {
    const g = buildKeyMap('clip_g', openclip);
    expect(g.targets.get('lora_te2_text_model_encoder_layers_1_self_attn_q_proj')?.weight).toEqual({
      name: 'model.transformer.resblocks.1.attn.in_proj_weight',
      rows: { start: 0, count: d },
    });
    expect(g.targets.get('text_encoder_2.text_model.encoder.layers.1.self_attn.v_proj')?.bias).toEqual({
      name: 'model.transformer.resblocks.1.attn.in_proj_bias',
      rows: { start: 2 * d, count: d },
    });
    expect(g.targets.get('lora_te2_text_model_encoder_layers_1_mlp_fc2')?.weight.name).toBe('model.transformer.resblocks.1.mlp.c_proj.weight');
    // SD2 uses the same OpenCLIP layout with the single-encoder prefix
    expect(buildKeyMap('clip', openclip).targets.get('lora_te_text_model_encoder_layers_1_self_attn_out_proj')?.weight.name).toBe(
      'model.transformer.resblocks.1.attn.out_proj.weight',
    );
  });

  it('maps HF CLIP names for SD1 (lora_te_) and SDXL te1 (lora_te1_)', () => {
    const hf = memoryProvider('l', { 'transformer.text_model.encoder.layers.3.mlp.fc1.weight': w([4, 2]) });
    const l = buildKeyMap('clip_l', hf);
    for (const alias of [
      'lora_te1_text_model_encoder_layers_3_mlp_fc1',
      'lora_te_text_model_encoder_layers_3_mlp_fc1',
      'text_encoder.text_model.encoder.layers.3.mlp.fc1',
    ]) {
      expect(l.targets.get(alias)?.weight.name, alias).toBe('transformer.text_model.encoder.layers.3.mlp.fc1.weight');
    }
    expect(l.targets.has('lora_te2_text_model_encoder_layers_3_mlp_fc1')).toBe(false);
  });
});
