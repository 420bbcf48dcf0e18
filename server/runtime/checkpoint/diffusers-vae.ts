/**
 * Diffusers-layout AutoencoderKL files (`decoder.up_blocks.0.resnets.0.norm1.weight`, …) under LDM names
 * (`decoder.up.3.block.0.norm1.weight`), as ComfyUI's convert_vae_state_dict does: decoder levels run the other way,
 * and mid-block attention Linear weights [C, C] become the 1×1 convolutions [C, C, 1, 1] the LDM VAE uses.
 */
import type { StateDict, TensorRef } from '../io/tensor';
import { CheckpointError } from './errors';

export function isDiffusersVae(dict: StateDict): boolean {
  return dict.has('decoder.up_blocks.0.resnets.0.norm1.weight');
}

const RESNET: Readonly<Record<string, string>> = { norm1: 'norm1', conv1: 'conv1', norm2: 'norm2', conv2: 'conv2', conv_shortcut: 'nin_shortcut' };
const ATTENTION: Readonly<Record<string, string>> = {
  group_norm: 'norm',
  to_q: 'q',
  to_k: 'k',
  to_v: 'v',
  'to_out.0': 'proj_out',
  query: 'q',
  key: 'k',
  value: 'v',
  proj_attn: 'proj_out',
};

const levelsOf = (dict: StateDict, part: 'encoder.down_blocks' | 'decoder.up_blocks'): number => {
  let n = 0;
  const re = new RegExp(`^${part.replace('.', '\\.')}\\.(\\d+)\\.`);
  for (const k of dict.keys()) {
    const m = re.exec(k);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return n;
};

/** A view of `t` with another shape of the same element count (1×1 conv ↔ Linear). */
function reshaped(t: TensorRef, shape: readonly number[]): TensorRef {
  return { name: t.name, dtype: t.dtype, shape: Object.freeze([...shape]), ...(t.file ? { file: t.file } : {}), read: () => t.read() };
}

/** LDM name for one diffusers VAE name, or null when it is not a VAE tensor this layout has. */
function ldmName(k: string, decoderLevels: number): string | null {
  const block = (side: string, rest: string): string | null => {
    let m = /^(down|up)_blocks\.(\d+)\.resnets\.(\d+)\.(\w+)\.(weight|bias)$/.exec(rest);
    if (m) {
      const level = m[1] === 'up' ? decoderLevels - 1 - Number(m[2]) : Number(m[2]);
      const part = RESNET[m[4]];
      return part ? `${side}.${m[1]}.${level}.block.${m[3]}.${part}.${m[5]}` : null;
    }
    m = /^down_blocks\.(\d+)\.downsamplers\.0\.conv\.(weight|bias)$/.exec(rest);
    if (m) return `${side}.down.${m[1]}.downsample.conv.${m[2]}`;
    m = /^up_blocks\.(\d+)\.upsamplers\.0\.conv\.(weight|bias)$/.exec(rest);
    if (m) return `${side}.up.${decoderLevels - 1 - Number(m[1])}.upsample.conv.${m[2]}`;
    m = /^mid_block\.resnets\.(\d)\.(\w+)\.(weight|bias)$/.exec(rest);
    if (m) {
      const part = RESNET[m[2]];
      return part ? `${side}.mid.block_${Number(m[1]) + 1}.${part}.${m[3]}` : null;
    }
    m = /^mid_block\.attentions\.0\.(.+)\.(weight|bias)$/.exec(rest);
    if (m) {
      const part = ATTENTION[m[1]];
      return part ? `${side}.mid.attn_1.${part}.${m[2]}` : null;
    }
    m = /^(conv_in|conv_out)\.(weight|bias)$/.exec(rest);
    if (m) return `${side}.${m[1]}.${m[2]}`;
    m = /^conv_norm_out\.(weight|bias)$/.exec(rest);
    if (m) return `${side}.norm_out.${m[1]}`;
    return null;
  };
  if (k.startsWith('encoder.')) return block('encoder', k.slice('encoder.'.length));
  if (k.startsWith('decoder.')) return block('decoder', k.slice('decoder.'.length));
  if (/^(post_)?quant_conv\.(weight|bias)$/.test(k)) return k;
  return null;
}

export function diffusersVaeToLdm(dict: StateDict, source: string): StateDict {
  const decoderLevels = levelsOf(dict, 'decoder.up_blocks');
  const out: StateDict = new Map();
  const unknown: string[] = [];
  for (const [k, t] of dict) {
    const name = ldmName(k, decoderLevels);
    if (!name) {
      unknown.push(k);
      continue;
    }
    // attention projections stored as Linear [C, C]: the LDM VAE convolves 1×1
    const attn = /\.mid\.attn_1\.(q|k|v|proj_out)\.weight$/.test(name);
    out.set(name, attn && t.shape.length === 2 ? reshaped(t, [t.shape[0], t.shape[1], 1, 1]) : t);
  }
  if (unknown.length > 0) {
    throw new CheckpointError(
      `${source}: ${unknown.length} diffusers VAE tensor(s) with no LDM name: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`,
    );
  }
  return out;
}
