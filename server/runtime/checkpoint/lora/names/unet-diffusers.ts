import type { UnetLayout } from './unet-layout';

/** [LDM module suffix, diffusers module suffix] inside a resnet (ResBlock <-> ResnetBlock2D). */
export const RESNET_MODULES: readonly (readonly [string, string])[] = [
  ['in_layers.0', 'norm1'],
  ['in_layers.2', 'conv1'],
  ['emb_layers.1', 'time_emb_proj'],
  ['out_layers.0', 'norm2'],
  ['out_layers.3', 'conv2'],
  ['skip_connection', 'conv_shortcut'],
];

/** Modules of a SpatialTransformer (same names on both sides). */
export const ATTENTION_MODULES: readonly string[] = ['norm', 'proj_in', 'proj_out'];

/** Modules of one BasicTransformerBlock (same names on both sides). */
export const TRANSFORMER_BLOCK_MODULES: readonly string[] = [
  'norm1',
  'norm2',
  'norm3',
  'attn1.to_q',
  'attn1.to_k',
  'attn1.to_v',
  'attn1.to_out.0',
  'attn2.to_q',
  'attn2.to_k',
  'attn2.to_v',
  'attn2.to_out.0',
  'ff.net.0.proj',
  'ff.net.2',
];

/** Fixed modules outside the block structure: [LDM, diffusers]. */
export const BASIC_MODULES: readonly (readonly [string, string])[] = [
  ['input_blocks.0.0', 'conv_in'],
  ['time_embed.0', 'time_embedding.linear_1'],
  ['time_embed.2', 'time_embedding.linear_2'],
  ['out.0', 'conv_norm_out'],
  ['out.2', 'conv_out'],
  ['label_emb.0.0', 'add_embedding.linear_1'],
  ['label_emb.0.2', 'add_embedding.linear_2'],
  ['label_emb.0.0', 'class_embedding.linear_1'],
  ['label_emb.0.2', 'class_embedding.linear_2'],
];

/** A correspondence between one diffusers module and one LDM module (both without `.weight`). */
export interface ModulePair {
  readonly diffusers: string;
  readonly ldm: string;
}

function resnet(out: ModulePair[], diffusers: string, ldm: string) {
  for (const [l, d] of RESNET_MODULES) out.push({ diffusers: `${diffusers}.${d}`, ldm: `${ldm}.${l}` });
}

function attention(out: ModulePair[], diffusers: string, ldm: string, depth: number) {
  for (const m of ATTENTION_MODULES) out.push({ diffusers: `${diffusers}.${m}`, ldm: `${ldm}.${m}` });
  for (let t = 0; t < depth; t++)
    for (const m of TRANSFORMER_BLOCK_MODULES)
      out.push({ diffusers: `${diffusers}.transformer_blocks.${t}.${m}`, ldm: `${ldm}.transformer_blocks.${t}.${m}` });
}

/**
 * Every diffusers module of a UNet with this layout and its LDM name: the walk ComfyUI's
 * `unet_to_diffusers` does (input block n = 1 + (res+1)·level + i; output blocks in groups of res+1,
 * levels reversed; upsampler at index 1 or 2 depending on attention).
 */
export function unetModulePairs(layout: UnetLayout): ModulePair[] {
  const out: ModulePair[] = [];
  const levels = layout.numResBlocks.length;
  let depthIdx = 0;
  for (let x = 0; x < levels; x++) {
    let n = 1 + layout.numResBlocks.slice(0, x).reduce((a, r) => a + r + 1, 0);
    for (let i = 0; i < layout.numResBlocks[x]; i++, n++) {
      resnet(out, `down_blocks.${x}.resnets.${i}`, `input_blocks.${n}.0`);
      const depth = layout.transformerDepth[depthIdx++];
      if (depth > 0) attention(out, `down_blocks.${x}.attentions.${i}`, `input_blocks.${n}.1`, depth);
    }
    if (x < levels - 1) out.push({ diffusers: `down_blocks.${x}.downsamplers.0.conv`, ldm: `input_blocks.${n}.0.op` });
  }
  resnet(out, 'mid_block.resnets.0', 'middle_block.0');
  if (layout.transformerDepthMiddle !== undefined) {
    attention(out, 'mid_block.attentions.0', 'middle_block.1', layout.transformerDepthMiddle);
    resnet(out, 'mid_block.resnets.1', 'middle_block.2');
  } else {
    // a middle block without attention keeps its second resnet at index 1
    resnet(out, 'mid_block.resnets.1', 'middle_block.1');
  }
  const upRes = [...layout.numResBlocks].reverse();
  let n = 0;
  for (let x = 0; x < levels; x++) {
    const blocks = upRes[x] + 1;
    for (let i = 0; i < blocks; i++, n++) {
      resnet(out, `up_blocks.${x}.resnets.${i}`, `output_blocks.${n}.0`);
      const depth = layout.transformerDepthOutput[n];
      if (depth > 0) attention(out, `up_blocks.${x}.attentions.${i}`, `output_blocks.${n}.1`, depth);
      if (i === blocks - 1 && x < levels - 1) {
        out.push({ diffusers: `up_blocks.${x}.upsamplers.0.conv`, ldm: `output_blocks.${n}.${depth > 0 ? 2 : 1}.conv` });
      }
    }
  }
  for (const [ldm, diffusers] of BASIC_MODULES) out.push({ diffusers, ldm });
  return out;
}
