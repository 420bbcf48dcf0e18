/**
 * SwinIR model files from a formula, the same one tests/fixtures/comfy-refs/swinir_vectors.py fills spandrel's SwinIR
 * with: the tensors spandrel's SwinIR state_dict holds for a config (parameters from an integer hash, the relative
 * position index and the shifted-window masks as SwinIR computes them), so the reference vectors need no python.
 */
import { writeSafetensors, type TensorEntry } from '../../server/runtime/io/safetensors-write';
import { relativePositionIndex } from '../../server/runtime/models/upscale/swinir';

/** SwinIR's constructor arguments, as the python script passes them. */
export interface SwinIRModelArgs {
  in_chans: number;
  embed_dim: number;
  depths: number[];
  num_heads: number[];
  window_size: number;
  img_size: number;
  mlp_ratio: number;
  upsampler: 'pixelshuffle' | 'pixelshuffledirect' | 'nearest+conv' | '';
  upscale: number;
  resi_connection: '1conv' | '3conv';
  img_range?: number;
}

export interface SwinIRVectorCase {
  name: string;
  model: SwinIRModelArgs;
  /** [h, w, c] of the input image */
  image: number[];
  tile: number;
  overlap: number;
  /** weight scale of the last layer */
  gain: number;
  /** the descriptor call alone (no tiled_scale) */
  direct: boolean;
  /** tensors in the state dict, parameter elements, their float64 sum: checks this file's formula against python's */
  keys: number;
  numel: number;
  weightSum: number;
  scale: number;
  /** [1, H, W, C] */
  shape: number[];
  /** values[i] = output.flat[i·stride], NHWC */
  stride: number;
  values: number[];
}

/** spandrel's num_feat for the upsampling heads */
const NUM_FEAT = 64;

function nameOffset(name: string): number {
  let s = 0;
  for (let j = 0; j < name.length; j++) s += name.charCodeAt(j) * (j + 1);
  return s >>> 0;
}

/** An integer hash of (element, tensor) in [-1, 1), bit-identical to the python script's unit(). */
function unit(i: number, off: number): number {
  let h = (Math.imul(i, 0x9e3779b1) + off) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  h = Math.imul(h, 0x85ebca77) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  return h / 2 ** 31 - 1;
}

/** A parameter's values (python: formula). */
export function swinirValues(name: string, shape: readonly number[], head: string, gain: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const off = nameOffset(name);
  let c = 0;
  let s = 0.1;
  if (name.endsWith('relative_position_bias_table')) s = 0.5;
  else if (shape.length >= 2) s = (name.startsWith(head) ? gain : 1) * Math.sqrt(3 / (n / shape[0]));
  else if (/(^|\.)norm[12]?\.weight$/.test(name)) [c, s] = [1, 0.2];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = c + s * unit(i, off);
  return out;
}

/** SwinTransformerBlock.calculate_mask for an img_size x img_size input: [nW, N, N], 0 or -100. */
function attnMask(size: number, ws: number, shift: number): Float32Array {
  const label = (v: number) => (v < size - ws ? 0 : v < size - shift ? 1 : 2);
  const nw = size / ws;
  const N = ws * ws;
  const out = new Float32Array(nw * nw * N * N);
  for (let wy = 0; wy < nw; wy++) {
    for (let wx = 0; wx < nw; wx++) {
      const labels = Array.from({ length: N }, (_, p) => label(wy * ws + Math.floor(p / ws)) * 3 + label(wx * ws + (p % ws)));
      const base = (wy * nw + wx) * N * N;
      for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) out[base + a * N + b] = labels[a] === labels[b] ? 0 : -100;
    }
  }
  return out;
}

export interface SwinIRDict {
  entries: TensorEntry[];
  keys: number;
  numel: number;
  weightSum: number;
}

/** The state dict spandrel's SwinIR(**args) holds, filled by the formula. */
export function swinirStateDict(m: SwinIRModelArgs, gain: number): SwinIRDict {
  const head = m.upsampler === 'pixelshuffledirect' ? 'upsample.0.' : 'conv_last.';
  const E = m.embed_dim;
  const ws = m.window_size;
  const entries: TensorEntry[] = [];
  let numel = 0;
  let weightSum = 0;
  const bytes = (a: Float32Array | BigInt64Array) => async () => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const param = (name: string, shape: number[]) => {
    const v = swinirValues(name, shape, head, gain);
    numel += v.length;
    for (const x of v) weightSum += x;
    entries.push({ name, dtype: 'F32', shape, data: bytes(v) });
  };
  const linear = (p: string, out: number, inp: number) => {
    param(`${p}.weight`, [out, inp]);
    param(`${p}.bias`, [out]);
  };
  const conv = (p: string, out: number, inp: number, k = 3) => {
    param(`${p}.weight`, [out, inp, k, k]);
    param(`${p}.bias`, [out]);
  };
  const norm = (p: string) => {
    param(`${p}.weight`, [E]);
    param(`${p}.bias`, [E]);
  };
  const resi = (p: string) => {
    if (m.resi_connection === '1conv') return conv(p, E, E);
    conv(`${p}.0`, E / 4, E);
    conv(`${p}.2`, E / 4, E / 4, 1);
    conv(`${p}.4`, E, E / 4);
  };
  const index = BigInt64Array.from(relativePositionIndex(ws), BigInt);
  const hidden = Math.floor(E * m.mlp_ratio);
  conv('conv_first', E, m.in_chans);
  norm('patch_embed.norm');
  m.depths.forEach((depth, i) => {
    for (let b = 0; b < depth; b++) {
      const p = `layers.${i}.residual_group.blocks.${b}`;
      norm(`${p}.norm1`);
      param(`${p}.attn.relative_position_bias_table`, [(2 * ws - 1) ** 2, m.num_heads[i]]);
      entries.push({ name: `${p}.attn.relative_position_index`, dtype: 'I64', shape: [ws * ws, ws * ws], data: bytes(index) });
      linear(`${p}.attn.qkv`, 3 * E, E);
      linear(`${p}.attn.proj`, E, E);
      norm(`${p}.norm2`);
      linear(`${p}.mlp.fc1`, hidden, E);
      linear(`${p}.mlp.fc2`, E, hidden);
      if (b % 2 === 1 && m.img_size > ws) {
        const n = (m.img_size / ws) ** 2;
        entries.push({ name: `${p}.attn_mask`, dtype: 'F32', shape: [n, ws * ws, ws * ws], data: bytes(attnMask(m.img_size, ws, ws >> 1)) });
      }
    }
    resi(`layers.${i}.conv`);
  });
  norm('norm');
  resi('conv_after_body');
  if (m.upsampler === 'pixelshuffle' || m.upsampler === 'nearest+conv') conv('conv_before_upsample.0', NUM_FEAT, E);
  if (m.upsampler === 'pixelshuffle') {
    // spandrel's Upsample: log2(scale) stages of 2x, or one 3x stage
    if (m.upscale === 3) conv('upsample.0', 9 * NUM_FEAT, NUM_FEAT);
    else for (let i = 0; 2 ** i < m.upscale; i++) conv(`upsample.${2 * i}`, 4 * NUM_FEAT, NUM_FEAT);
    conv('conv_last', m.in_chans, NUM_FEAT);
  } else if (m.upsampler === 'pixelshuffledirect') {
    conv('upsample.0', m.in_chans * m.upscale ** 2, E);
  } else if (m.upsampler === 'nearest+conv') {
    for (let i = 1; 2 ** i <= m.upscale; i++) conv(`conv_up${i}`, NUM_FEAT, NUM_FEAT);
    conv('conv_hr', NUM_FEAT, NUM_FEAT);
    conv('conv_last', m.in_chans, NUM_FEAT);
  } else {
    conv('conv_last', m.in_chans, E);
  }
  return { entries, keys: entries.length, numel, weightSum };
}

export async function writeSwinIR(file: string, m: SwinIRModelArgs, gain: number): Promise<SwinIRDict> {
  const dict = swinirStateDict(m, gain);
  await writeSafetensors(file, dict.entries);
  return dict;
}

/** [1, h, w, c] NHWC: 0.5 + 0.4 sin(0.37 k), k the CHW index (python: image). */
export function swinirImage(h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(h * w * c);
  for (let k = 0; k < c; k++) for (let i = 0; i < h * w; i++) out[i * c + k] = 0.5 + 0.4 * Math.sin((k * h * w + i) * 0.37);
  return out;
}
