/**
 * Diffusers-layout UNets (`down_blocks.0.resnets.0.conv1.weight`, …) as LDM names (`input_blocks.1.0.in_layers.2.
 * weight`), so one UNet builder serves both. The block structure is read from the diffusers names; the name map
 * follows ComfyUI's unet_to_diffusers for that structure.
 */
import type { StateDict } from '../io/tensor';
import { CheckpointError } from './errors';

/** LDM resnet name → diffusers name. */
const RESNET: Readonly<Record<string, string>> = {
  'in_layers.0.weight': 'norm1.weight',
  'in_layers.0.bias': 'norm1.bias',
  'in_layers.2.weight': 'conv1.weight',
  'in_layers.2.bias': 'conv1.bias',
  'emb_layers.1.weight': 'time_emb_proj.weight',
  'emb_layers.1.bias': 'time_emb_proj.bias',
  'out_layers.0.weight': 'norm2.weight',
  'out_layers.0.bias': 'norm2.bias',
  'out_layers.3.weight': 'conv2.weight',
  'out_layers.3.bias': 'conv2.bias',
  'skip_connection.weight': 'conv_shortcut.weight',
  'skip_connection.bias': 'conv_shortcut.bias',
};

const ATTENTION = ['proj_in.weight', 'proj_in.bias', 'proj_out.weight', 'proj_out.bias', 'norm.weight', 'norm.bias'];

const TRANSFORMER = [
  'norm1.weight',
  'norm1.bias',
  'norm2.weight',
  'norm2.bias',
  'norm3.weight',
  'norm3.bias',
  'attn1.to_q.weight',
  'attn1.to_k.weight',
  'attn1.to_v.weight',
  'attn1.to_out.0.weight',
  'attn1.to_out.0.bias',
  'attn2.to_q.weight',
  'attn2.to_k.weight',
  'attn2.to_v.weight',
  'attn2.to_out.0.weight',
  'attn2.to_out.0.bias',
  'ff.net.0.proj.weight',
  'ff.net.0.proj.bias',
  'ff.net.2.weight',
  'ff.net.2.bias',
];

/** diffusers name → LDM name for the pieces outside the blocks. */
const BASIC: readonly [string, string][] = [
  ['class_embedding.linear_1.weight', 'label_emb.0.0.weight'],
  ['class_embedding.linear_1.bias', 'label_emb.0.0.bias'],
  ['class_embedding.linear_2.weight', 'label_emb.0.2.weight'],
  ['class_embedding.linear_2.bias', 'label_emb.0.2.bias'],
  ['add_embedding.linear_1.weight', 'label_emb.0.0.weight'],
  ['add_embedding.linear_1.bias', 'label_emb.0.0.bias'],
  ['add_embedding.linear_2.weight', 'label_emb.0.2.weight'],
  ['add_embedding.linear_2.bias', 'label_emb.0.2.bias'],
  ['conv_in.weight', 'input_blocks.0.0.weight'],
  ['conv_in.bias', 'input_blocks.0.0.bias'],
  ['conv_norm_out.weight', 'out.0.weight'],
  ['conv_norm_out.bias', 'out.0.bias'],
  ['conv_out.weight', 'out.2.weight'],
  ['conv_out.bias', 'out.2.bias'],
  ['time_embedding.linear_1.weight', 'time_embed.0.weight'],
  ['time_embedding.linear_1.bias', 'time_embed.0.bias'],
  ['time_embedding.linear_2.weight', 'time_embed.2.weight'],
  ['time_embedding.linear_2.bias', 'time_embed.2.bias'],
];

/** The block structure ComfyUI's map needs, in LDM terms. */
export interface UNetLayout {
  numResBlocks: number[];
  /** transformer depth per down resnet, in order */
  transformerDepth: number[];
  transformerDepthMiddle: number;
  /** transformer depth per output block as ComfyUI lists it: popped from the end while walking up_blocks deepest first */
  transformerDepthOutput: number[];
}

/** diffusers name → LDM name for a UNet of this layout (ComfyUI's unet_to_diffusers). */
export function diffusersToLdmMap(l: UNetLayout): Map<string, string> {
  const map = new Map<string, string>();
  const levels = l.numResBlocks.length;
  const depth = [...l.transformerDepth];
  for (let x = 0; x < levels; x++) {
    let n = 1 + (l.numResBlocks[x] + 1) * x;
    for (let i = 0; i < l.numResBlocks[x]; i++) {
      for (const [ldm, d] of Object.entries(RESNET)) map.set(`down_blocks.${x}.resnets.${i}.${d}`, `input_blocks.${n}.0.${ldm}`);
      const t = depth.shift() ?? 0;
      if (t > 0) {
        for (const b of ATTENTION) map.set(`down_blocks.${x}.attentions.${i}.${b}`, `input_blocks.${n}.1.${b}`);
        for (let k = 0; k < t; k++) {
          for (const b of TRANSFORMER)
            map.set(`down_blocks.${x}.attentions.${i}.transformer_blocks.${k}.${b}`, `input_blocks.${n}.1.transformer_blocks.${k}.${b}`);
        }
      }
      n++;
    }
    for (const k of ['weight', 'bias']) map.set(`down_blocks.${x}.downsamplers.0.conv.${k}`, `input_blocks.${n}.0.op.${k}`);
  }
  for (const b of ATTENTION) map.set(`mid_block.attentions.0.${b}`, `middle_block.1.${b}`);
  for (let t = 0; t < l.transformerDepthMiddle; t++) {
    for (const b of TRANSFORMER) map.set(`mid_block.attentions.0.transformer_blocks.${t}.${b}`, `middle_block.1.transformer_blocks.${t}.${b}`);
  }
  [0, 2].forEach((n, i) => {
    for (const [ldm, d] of Object.entries(RESNET)) map.set(`mid_block.resnets.${i}.${d}`, `middle_block.${n}.${ldm}`);
  });
  const up = [...l.numResBlocks].reverse();
  const out = [...l.transformerDepthOutput];
  for (let x = 0; x < levels; x++) {
    let n = (up[x] + 1) * x;
    const count = up[x] + 1;
    for (let i = 0; i < count; i++) {
      let c = 1;
      for (const [ldm, d] of Object.entries(RESNET)) map.set(`up_blocks.${x}.resnets.${i}.${d}`, `output_blocks.${n}.0.${ldm}`);
      // ComfyUI pops transformer_depth_output from the end while walking up_blocks from the start
      const t = out.pop() ?? 0;
      if (t > 0) {
        c++;
        for (const b of ATTENTION) map.set(`up_blocks.${x}.attentions.${i}.${b}`, `output_blocks.${n}.1.${b}`);
        for (let k = 0; k < t; k++) {
          for (const b of TRANSFORMER)
            map.set(`up_blocks.${x}.attentions.${i}.transformer_blocks.${k}.${b}`, `output_blocks.${n}.1.transformer_blocks.${k}.${b}`);
        }
      }
      if (i === count - 1) for (const k of ['weight', 'bias']) map.set(`up_blocks.${x}.upsamplers.0.conv.${k}`, `output_blocks.${n}.${c}.conv.${k}`);
      n++;
    }
  }
  for (const [d, ldm] of BASIC) map.set(d, ldm);
  return map;
}

const count = (keys: readonly string[], re: RegExp): number => {
  let max = -1;
  for (const k of keys) {
    const m = re.exec(k);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
};

/** The layout of a diffusers UNet from its names. */
export function diffusersLayout(dict: StateDict): UNetLayout {
  const keys = [...dict.keys()];
  const levels = count(keys, /^down_blocks\.(\d+)\./);
  if (levels <= 0) throw new CheckpointError('diffusers UNet: no down_blocks');
  const numResBlocks: number[] = [];
  const transformerDepth: number[] = [];
  for (let x = 0; x < levels; x++) {
    const res = count(keys, new RegExp(`^down_blocks\\.${x}\\.resnets\\.(\\d+)\\.`));
    numResBlocks.push(res);
    for (let i = 0; i < res; i++)
      transformerDepth.push(count(keys, new RegExp(`^down_blocks\\.${x}\\.attentions\\.${i}\\.transformer_blocks\\.(\\d+)\\.`)));
  }
  const transformerDepthMiddle = count(keys, /^mid_block\.attentions\.0\.transformer_blocks\.(\d+)\./);
  // output_blocks order runs from the deepest up_block; ComfyUI pops from the end, so store it reversed
  const byUp: number[] = [];
  for (let x = 0; x < levels; x++) {
    const res = count(keys, new RegExp(`^up_blocks\\.${x}\\.resnets\\.(\\d+)\\.`));
    for (let i = 0; i < res; i++) byUp.push(count(keys, new RegExp(`^up_blocks\\.${x}\\.attentions\\.${i}\\.transformer_blocks\\.(\\d+)\\.`)));
  }
  return { numResBlocks, transformerDepth, transformerDepthMiddle, transformerDepthOutput: byUp.reverse() };
}

export function isDiffusersUNet(dict: StateDict): boolean {
  return dict.has('conv_in.weight') && [...dict.keys()].some((k) => k.startsWith('down_blocks.'));
}

/** The same tensors under LDM names; a tensor the map does not know is an error naming it. */
export function diffusersUnetToLdm(dict: StateDict, source: string): StateDict {
  const map = diffusersToLdmMap(diffusersLayout(dict));
  const out: StateDict = new Map();
  const unknown: string[] = [];
  for (const [k, t] of dict) {
    const ldm = map.get(k);
    if (ldm) out.set(ldm, t);
    else unknown.push(k);
  }
  if (unknown.length > 0) {
    throw new CheckpointError(
      `${source}: ${unknown.length} diffusers UNet tensor(s) with no LDM name: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`,
    );
  }
  return out;
}
