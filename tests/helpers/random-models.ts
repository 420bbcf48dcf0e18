/**
 * Random-weight state dicts in the LDM/HF key layouts, for configs no fixture has.
 * Shapes follow the reference modules; values ~ N(0, 1/fan_in) so activations stay O(1).
 */
export type Tensors = Map<string, { shape: number[]; data: Float32Array }>;

import { mulberry32 as rng } from './prng';

export { rng };

export class RandomDict {
  readonly tensors: Tensors = new Map();
  private readonly rand: () => number;
  /** uniform: same variance from a uniform draw, ~10x cheaper (benchmark-sized models) */
  constructor(
    seed: number,
    private readonly uniform = false,
  ) {
    this.rand = rng(seed);
  }
  private normal(): number {
    if (this.uniform) return (this.rand() * 2 - 1) * Math.sqrt(3);
    return Math.sqrt(-2 * Math.log(this.rand() + 1e-12)) * Math.cos(2 * Math.PI * this.rand());
  }
  add(name: string, shape: number[], std: number, mean = 0): void {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = mean + std * this.normal();
    this.tensors.set(name, { shape, data });
  }
  linear(p: string, out: number, inp: number, bias = true): void {
    this.add(`${p}.weight`, [out, inp], 1 / Math.sqrt(inp));
    if (bias) this.add(`${p}.bias`, [out], 0.02);
  }
  conv(p: string, out: number, inp: number, k: number): void {
    this.add(`${p}.weight`, [out, inp, k, k], 1 / Math.sqrt(inp * k * k));
    this.add(`${p}.bias`, [out], 0.02);
  }
  norm(p: string, c: number): void {
    this.add(`${p}.weight`, [c], 0.1, 1);
    this.add(`${p}.bias`, [c], 0.1);
  }
}

export interface RandomUNetSpec {
  inChannels: number;
  modelChannels: number;
  channelMult: number[];
  numResBlocks: number;
  attentionLevels: number[];
  depth: number;
  contextDim: number;
  linearProjection: boolean;
  admInChannels?: number;
}

export function randomUNet(spec: RandomUNetSpec, seed = 1, uniform = false): Tensors {
  const d = new RandomDict(seed, uniform);
  const mc = spec.modelChannels;
  const ted = 4 * mc;
  d.linear('time_embed.0', ted, mc);
  d.linear('time_embed.2', ted, ted);
  if (spec.admInChannels) {
    d.linear('label_emb.0.0', ted, spec.admInChannels);
    d.linear('label_emb.0.2', ted, ted);
  }
  const res = (p: string, inp: number, out: number) => {
    d.norm(`${p}.in_layers.0`, inp);
    d.conv(`${p}.in_layers.2`, out, inp, 3);
    d.linear(`${p}.emb_layers.1`, out, ted);
    d.norm(`${p}.out_layers.0`, out);
    d.conv(`${p}.out_layers.3`, out, out, 3);
    if (inp !== out) d.conv(`${p}.skip_connection`, out, inp, 1);
  };
  const st = (p: string, c: number) => {
    d.norm(`${p}.norm`, c);
    if (spec.linearProjection) d.linear(`${p}.proj_in`, c, c);
    else d.conv(`${p}.proj_in`, c, c, 1);
    for (let i = 0; i < spec.depth; i++) {
      const b = `${p}.transformer_blocks.${i}`;
      d.norm(`${b}.norm1`, c);
      d.norm(`${b}.norm2`, c);
      d.norm(`${b}.norm3`, c);
      for (const [a, kv] of [
        ['attn1', c],
        ['attn2', spec.contextDim],
      ] as const) {
        d.linear(`${b}.${a}.to_q`, c, c, false);
        d.linear(`${b}.${a}.to_k`, c, kv, false);
        d.linear(`${b}.${a}.to_v`, c, kv, false);
        d.linear(`${b}.${a}.to_out.0`, c, c);
      }
      d.linear(`${b}.ff.net.0.proj`, 8 * c, c);
      d.linear(`${b}.ff.net.2`, c, 4 * c);
    }
    if (spec.linearProjection) d.linear(`${p}.proj_out`, c, c);
    else d.conv(`${p}.proj_out`, c, c, 1);
  };
  d.conv('input_blocks.0.0', mc, spec.inChannels, 3);
  const skipCh = [mc];
  let ch = mc;
  let block = 1;
  spec.channelMult.forEach((m, level) => {
    for (let r = 0; r < spec.numResBlocks; r++, block++) {
      res(`input_blocks.${block}.0`, ch, m * mc);
      ch = m * mc;
      if (spec.attentionLevels.includes(level)) st(`input_blocks.${block}.1`, ch);
      skipCh.push(ch);
    }
    if (level < spec.channelMult.length - 1) {
      d.conv(`input_blocks.${block}.0.op`, ch, ch, 3);
      skipCh.push(ch);
      block++;
    }
  });
  res('middle_block.0', ch, ch);
  st('middle_block.1', ch);
  res('middle_block.2', ch, ch);
  block = 0;
  for (let level = spec.channelMult.length - 1; level >= 0; level--) {
    const out = spec.channelMult[level] * mc;
    for (let r = 0; r <= spec.numResBlocks; r++, block++) {
      res(`output_blocks.${block}.0`, ch + skipCh.pop()!, out);
      ch = out;
      const attn = spec.attentionLevels.includes(level);
      if (attn) st(`output_blocks.${block}.1`, ch);
      if (level > 0 && r === spec.numResBlocks) d.conv(`output_blocks.${block}.${attn ? 2 : 1}.conv`, ch, ch, 3);
    }
  }
  d.norm('out.0', ch);
  d.conv('out.2', spec.inChannels, ch, 3);
  return d.tensors;
}

export interface RandomClipSpec {
  width: number;
  layers: number;
  intermediate: number;
  vocab: number;
  positions: number;
  openclip?: boolean;
  projection?: number;
}

export function randomClip(spec: RandomClipSpec, seed = 2, uniform = false): Tensors {
  const d = new RandomDict(seed, uniform);
  const w = spec.width;
  if (spec.openclip) {
    d.add('token_embedding.weight', [spec.vocab, w], 0.5);
    d.add('positional_embedding', [spec.positions, w], 0.2);
    for (let i = 0; i < spec.layers; i++) {
      const p = `transformer.resblocks.${i}`;
      d.norm(`${p}.ln_1`, w);
      d.add(`${p}.attn.in_proj_weight`, [3 * w, w], 1 / Math.sqrt(w));
      d.add(`${p}.attn.in_proj_bias`, [3 * w], 0.02);
      d.linear(`${p}.attn.out_proj`, w, w);
      d.norm(`${p}.ln_2`, w);
      d.linear(`${p}.mlp.c_fc`, spec.intermediate, w);
      d.linear(`${p}.mlp.c_proj`, w, spec.intermediate);
    }
    d.norm('ln_final', w);
    if (spec.projection) d.add('text_projection', [w, spec.projection], 1 / Math.sqrt(w));
    return d.tensors;
  }
  d.add('embeddings.token_embedding.weight', [spec.vocab, w], 0.5);
  d.add('embeddings.position_embedding.weight', [spec.positions, w], 0.2);
  for (let i = 0; i < spec.layers; i++) {
    const p = `encoder.layers.${i}`;
    d.norm(`${p}.layer_norm1`, w);
    for (const n of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) d.linear(`${p}.self_attn.${n}`, w, w);
    d.norm(`${p}.layer_norm2`, w);
    d.linear(`${p}.mlp.fc1`, spec.intermediate, w);
    d.linear(`${p}.mlp.fc2`, w, spec.intermediate);
  }
  d.norm('final_layer_norm', w);
  return d.tensors;
}

export interface RandomVaeSpec {
  ch: number;
  chMult: number[];
  numResBlocks: number;
  zChannels: number;
}

export function randomVae(spec: RandomVaeSpec, seed = 3, uniform = false): Tensors {
  const d = new RandomDict(seed, uniform);
  const resnet = (p: string, inp: number, out: number) => {
    d.norm(`${p}.norm1`, inp);
    d.conv(`${p}.conv1`, out, inp, 3);
    d.norm(`${p}.norm2`, out);
    d.conv(`${p}.conv2`, out, out, 3);
    if (inp !== out) d.conv(`${p}.nin_shortcut`, out, inp, 1);
  };
  const mid = (p: string, c: number) => {
    resnet(`${p}.mid.block_1`, c, c);
    d.norm(`${p}.mid.attn_1.norm`, c);
    for (const n of ['q', 'k', 'v', 'proj_out']) d.conv(`${p}.mid.attn_1.${n}`, c, c, 1);
    resnet(`${p}.mid.block_2`, c, c);
  };
  const { ch, chMult, numResBlocks: nrb, zChannels: z } = spec;
  d.conv('encoder.conv_in', ch, 3, 3);
  let c = ch;
  chMult.forEach((m, level) => {
    for (let b = 0; b < nrb; b++) {
      resnet(`encoder.down.${level}.block.${b}`, c, m * ch);
      c = m * ch;
    }
    if (level < chMult.length - 1) d.conv(`encoder.down.${level}.downsample.conv`, c, c, 3);
  });
  mid('encoder', c);
  d.norm('encoder.norm_out', c);
  d.conv('encoder.conv_out', 2 * z, c, 3);
  d.conv('quant_conv', 2 * z, 2 * z, 1);
  d.conv('post_quant_conv', z, z, 1);
  c = chMult[chMult.length - 1] * ch;
  d.conv('decoder.conv_in', c, z, 3);
  mid('decoder', c);
  for (let level = chMult.length - 1; level >= 0; level--) {
    for (let b = 0; b <= nrb; b++) {
      resnet(`decoder.up.${level}.block.${b}`, c, chMult[level] * ch);
      c = chMult[level] * ch;
    }
    if (level > 0) d.conv(`decoder.up.${level}.upsample.conv`, c, c, 3);
  }
  d.norm('decoder.norm_out', c);
  d.conv('decoder.conv_out', 3, c, 3);
  return d.tensors;
}
