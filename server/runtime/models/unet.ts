import { Graph, type FloatType, type Value } from '../onnx/builder';
import { Layers, assertAllWeightsUsed, type AttentionKernel } from '../onnx/nn';
import type { WeightProvider } from '../checkpoint/weights';
import { headsFor, type UNetConfig } from '../checkpoint/arch/unet';
import type { HypernetActivation, HypernetLayer, Hypernetwork } from '../patches/hypernetwork';
import { GLIGEN_MAX_OBJS, GLIGEN_POSITION_DIM, type GligenModel } from '../patches/gligen';

/** ldm `timestep_embedding` frequencies in fp32, as torch computes them: exp(-ln(10000)·k/half). */
export function timestepFrequencies(dim: number, maxPeriod = 10000): Float32Array {
  const half = dim >> 1;
  const f = new Float32Array(half);
  const logMax = Math.fround(-Math.log(maxPeriod));
  for (let k = 0; k < half; k++) f[k] = Math.exp(Math.fround(Math.fround(logMax * k) / half));
  return f;
}

/**
 * The LDM UNetModel (SD1/SD2/SDXL) as an ONNX graph. Inputs: x [B,C,H,W], timesteps [B] (float),
 * context [B,T,ctx], and y [B,adm] when the model has label_emb (SDXL). Output: out [B,outC,H,W].
 */
export interface UNetBuildOptions {
  attention?: AttentionKernel;
  /** compute type; inputs and output stay fp32 */
  float?: FloatType;
  /** hypernetworks in the order they were applied; their weights are under `prefix` in the weight provider */
  hypernets?: readonly HypernetPatch[];
  /** FreeU / FreeU_V2 output-block patches, in the order applied */
  freeU?: readonly FreeUPatch[];
  /** a GLIGEN model whose weights are under `prefix`: adds the gligen_* inputs and a fuser per SpatialTransformer */
  gligen?: { prefix: string; model: GligenModel };
  /**
   * ComfyUI's apply_control: inputs `control_middle` (added after the middle block) and `control_output_<i>` (added to
   * skip i, input-block order, before the output block that concatenates it) for ControlNet residuals
   */
  control?: boolean;
  /** apply_control's 'input' side (T2I-Adapters): inputs `control_input_<i>`, added to input block i's output */
  controlInput?: boolean;
  /** a ControlNet (models/controlnet.ts): the input blocks and middle block only, tapped by these hooks */
  encoder?: (g: Graph, L: Layers) => EncoderTaps;
  /** graph name, also in error messages (default 'unet') */
  name?: string;
}

/** Where a ControlNet reads and changes the UNet encoder (comfy/cldm/cldm.py ControlNet.forward). */
export interface EncoderTaps {
  /** after input_blocks.0 (the hint is added there) */
  first(h: Value): Value;
  /** each input block's output, in order */
  skip(h: Value, index: number): void;
  /** the middle block's output; the graph ends here */
  middle(h: Value): void;
}

/** ComfyUI's FreeU (v1) and FreeU_V2: backbone scale b and skip Fourier scale s per output width (model_channels·4, ·2). */
export interface FreeUPatch {
  version: 1 | 2;
  b1: number;
  b2: number;
  s1: number;
  s2: number;
}

export interface HypernetPatch {
  prefix: string;
  strength: number;
  mlps: Hypernetwork['mlps'];
}

/** SD2's 1024-wide OpenCLIP context marks the models whose attention overflows in fp16. */
export const needsFp32Attention = (cfg: UNetConfig): boolean => cfg.contextDim === 1024;

export function buildUNet(weights: WeightProvider, cfg: UNetConfig, opts: UNetBuildOptions = {}): Graph {
  const name = opts.name ?? 'unet';
  const g = new Graph(name, opts.float);
  const L = new Layers(g, weights, name, { attention: opts.attention, upcastAttention: needsFp32Attention(cfg) });
  const x = g.compute(g.input('x', 'float32', ['B', cfg.inChannels, 'H', 'W']));
  const timesteps = g.input('timesteps', 'float32', ['B']);
  const context = g.compute(g.input('context', 'float32', ['B', 'T', cfg.contextDim]));
  const yIn = cfg.admInChannels !== undefined ? g.input('y', 'float32', ['B', cfg.admInChannels]) : undefined;
  const y = yIn && g.compute(yIn);
  const taps = opts.encoder?.(g, L);

  // the sinusoid is computed in fp32 (timesteps up to 999 lose too much in fp16), then cast
  const tEmb = g.compute(timestepEmbedding(g, timesteps, cfg.modelChannels));
  let emb = L.linear(L.silu(L.linear(tEmb, 'time_embed.0')), 'time_embed.2');
  if (y) emb = g.op('Add', [emb, L.linear(L.silu(L.linear(y, 'label_emb.0.0')), 'label_emb.0.2')]);
  // every ResBlock applies SiLU to the embedding before its own projection
  const embAct = L.silu(emb);

  const resBlock = (h: Value, p: string): Value => {
    let r = L.conv(L.silu(L.groupNorm(h, `${p}.in_layers.0`, 32, 1e-5)), `${p}.in_layers.2`);
    const e = L.linear(embAct, `${p}.emb_layers.1`);
    r = g.op('Add', [r, g.op('Unsqueeze', [e, g.ints([2, 3])])]);
    r = L.conv(L.silu(L.groupNorm(r, `${p}.out_layers.0`, 32, 1e-5)), `${p}.out_layers.3`);
    const skip = L.has(`${p}.skip_connection.weight`) ? L.conv(h, `${p}.skip_connection`) : h;
    return g.op('Add', [skip, r]);
  };

  const mlp = (x: Value, layers: readonly HypernetLayer[], prefix: string): Value =>
    layers.reduce(
      (t, l) =>
        l.kind === 'linear' ? L.linear(t, prefix + l.key) : l.kind === 'layernorm' ? L.layerNorm(t, prefix + l.key) : activation(g, t, l.fn),
      x,
    );

  const attention = (h: Value, p: string, ctx: Value | undefined): Value => {
    const [inner] = L.shape(`${p}.to_q.weight`);
    const q = L.linear(h, `${p}.to_q`, false);
    // ComfyUI's attn1/attn2 patches (hypernetworks): k += hn_k(k)·s, v += hn_v(v)·s on the inputs of to_k / to_v
    let kIn = ctx ?? h;
    let vIn = ctx ?? h;
    const width = L.shape(`${p}.to_k.weight`)[1];
    for (const hn of opts.hypernets ?? []) {
      const pair = hn.mlps.get(width);
      if (!pair) continue;
      kIn = g.op('Add', [kIn, g.op('Mul', [mlp(kIn, pair[0], hn.prefix), g.scalar(hn.strength)])]);
      vIn = g.op('Add', [vIn, g.op('Mul', [mlp(vIn, pair[1], hn.prefix), g.scalar(hn.strength)])]);
    }
    const k = L.linear(kIn, `${p}.to_k`, false);
    const v = L.linear(vIn, `${p}.to_v`, false);
    return L.linear(L.attention(q, k, v, headsFor(cfg.heads, inner), inner), `${p}.to_out.0`);
  };

  const geglu = (h: Value, p: string): Value => {
    const [a, gate] = g.opN('Split', [L.linear(h, `${p}.net.0.proj`)], { axis: -1 }, 2);
    return L.linear(g.op('Mul', [a, L.gelu(gate)]), `${p}.net.2`);
  };

  // GLIGEN: grounding tokens from the PositionNet, fused into every SpatialTransformer (ComfyUI's middle_patch)
  const gl = opts.gligen;
  const objs = gl && positionNet(g, L, gl.prefix, gl.model);
  let transformerIndex = 0;
  /** GatedSelfAttentionDense: x + tanh(α_attn)·attn(norm1([x; linear(objs)]))[:, :N] then + tanh(α_dense)·ff(norm2(x)) */
  const fuse = (t: Value, index: number, block: string): Value => {
    if (!gl || !objs) return t;
    const fuser = gl.model.fusers[index];
    if (!fuser)
      throw new Error(
        `GLIGEN model has ${gl.model.fusers.length} fusers but this UNet has more SpatialTransformers: a GLIGEN model for another model family?`,
      );
    const p = `${gl.prefix}${fuser.prefix}`;
    const [query] = L.shape(`${p}.linear.weight`);
    const width = L.shape(`${p}.norm1.weight`)[0];
    const tokens = L.shape(`${block}.norm1.weight`)[0];
    if (width !== tokens)
      throw new Error(`GLIGEN ${fuser.prefix} works on ${width}-wide tokens but ${block} has ${tokens}: a GLIGEN model for another model family?`);
    const n = L.layerNorm(g.op('Concat', [t, L.linear(objs, `${p}.linear`)], { axis: 1 }), `${p}.norm1`);
    const [inner] = L.shape(`${p}.attn.to_q.weight`);
    const q = L.linear(n, `${p}.attn.to_q`, false);
    const k = L.linear(n, `${p}.attn.to_k`, false);
    const v = L.linear(n, `${p}.attn.to_v`, false);
    const a = L.linear(L.attention(q, k, v, fuser.heads, inner), `${p}.attn.to_out.0`);
    const visual = g.op('Slice', [a, g.ints([0]), g.op('Shape', [t], { start: 1, end: 2 }), g.ints([1])]);
    if (query !== width) throw new Error(`GLIGEN ${fuser.prefix}: linear makes ${query}-wide tokens but norm1 takes ${width}`);
    t = g.op('Add', [t, g.op('Mul', [g.op('Tanh', [L.param(`${p}.alpha_attn`, [])]), visual])]);
    return g.op('Add', [t, g.op('Mul', [g.op('Tanh', [L.param(`${p}.alpha_dense`, [])]), geglu(L.layerNorm(t, `${p}.norm2`), `${p}.ff`)])]);
  };

  const spatialTransformer = (h: Value, p: string, depth: number): Value => {
    const toTokens = (t: Value) => g.op('Transpose', [g.op('Reshape', [t, g.ints([0, 0, -1])])], { perm: [0, 2, 1] });
    const fromTokens = (t: Value) => g.op('Reshape', [g.op('Transpose', [t], { perm: [0, 2, 1] }), g.op('Shape', [h])]);
    const normed = L.groupNorm(h, `${p}.norm`, 32, 1e-6);
    let t = cfg.linearProjection ? L.linear(toTokens(normed), `${p}.proj_in`) : toTokens(L.conv(normed, `${p}.proj_in`));
    // ComfyUI's transformer_index counts SpatialTransformers: every block of one uses the same fuser
    const index = transformerIndex++;
    for (let d = 0; d < depth; d++) {
      const b = `${p}.transformer_blocks.${d}`;
      t = g.op('Add', [attention(L.layerNorm(t, `${b}.norm1`), `${b}.attn1`, undefined), t]);
      t = fuse(t, index, b);
      t = g.op('Add', [attention(L.layerNorm(t, `${b}.norm2`), `${b}.attn2`, context), t]);
      t = g.op('Add', [geglu(L.layerNorm(t, `${b}.norm3`), `${b}.ff`), t]);
    }
    const out = cfg.linearProjection ? fromTokens(L.linear(t, `${p}.proj_out`)) : L.conv(fromTokens(t), `${p}.proj_out`);
    return g.op('Add', [out, h]);
  };

  /**
   * ComfyUI's Upsample(x, output_shape): nearest to the spatial size of the skip tensor the next output block
   * concatenates, so odd sizes (which the stride-2 downsample rounded up) come back exactly; at an even size it
   * is the plain 2x. torch 'nearest' with a size = ONNX Resize asymmetric/floor with `sizes`. `size` is that
   * skip's [H, W] worked out from x's shape (see `halved`): asking the skip tensor itself for its shape would
   * make onnxruntime convert it out of its blocked NCHWc conv layout only to read the shape.
   */
  const upsample = (h: Value, p: string, size: Value): Value => {
    const [, channels] = L.shape(`${p}.conv.weight`);
    const sizes = g.op('Concat', [g.op('Shape', [x], { start: 0, end: 1 }), g.ints([channels]), size], { axis: 0 });
    const up = g.op('Resize', [h, null, null, sizes], {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    });
    return L.conv(up, `${p}.conv`);
  };
  /** [H, W] after a 3x3, stride 2, pad 1 conv: ceil(s / 2) = (s + 1) div 2 */
  const halved = (size: Value): Value => g.op('Div', [g.op('Add', [size, g.ints([1])]), g.ints([2])]);

  // down; every skip tensor is kept with its spatial size, int64 [H, W]
  // apply_control(h, control, 'input') after each input block: the skip and the next block both see the sum
  const withInput = (v: Value, i: number): Value => (opts.controlInput ? g.op('Add', [v, controlInput(g, `control_input_${i}`)]) : v);
  let h = withInput(L.conv(x, 'input_blocks.0.0'), 0);
  if (taps) h = taps.first(h);
  let size = g.op('Shape', [x], { start: 2 });
  const skips: { t: Value; size: Value }[] = [{ t: h, size }];
  taps?.skip(h, 0);
  let block = 1;
  cfg.channelMult.forEach((_, level) => {
    for (let r = 0; r < cfg.numResBlocks[level]; r++, block++) {
      h = resBlock(h, `input_blocks.${block}.0`);
      if (cfg.transformerDepth[level]) h = spatialTransformer(h, `input_blocks.${block}.1`, cfg.transformerDepth[level]);
      h = withInput(h, block);
      skips.push({ t: h, size });
      taps?.skip(h, skips.length - 1);
    }
    if (level < cfg.channelMult.length - 1) {
      // 3x3, stride 2, pad 1: ceil(H/2) x ceil(W/2), so odd sizes round up (the upsample undoes it exactly)
      h = withInput(L.conv(h, `input_blocks.${block}.0.op`, { stride: 2 }), block);
      size = halved(size);
      skips.push({ t: h, size });
      taps?.skip(h, skips.length - 1);
      block++;
    }
  });

  // middle
  h = resBlock(h, 'middle_block.0');
  h = spatialTransformer(h, 'middle_block.1', cfg.transformerDepthMiddle);
  h = resBlock(h, 'middle_block.2');
  if (taps) {
    taps.middle(h);
    assertAllWeightsUsed(g, weights, name);
    return g;
  }
  if (opts.control) h = g.op('Add', [h, controlInput(g, 'control_middle')]);

  // up
  block = 0;
  // channels of h entering each output block (FreeU picks its scales by them)
  let hChannels = cfg.modelChannels * (cfg.channelMult.at(-1) ?? 1);
  for (let level = cfg.channelMult.length - 1; level >= 0; level--) {
    for (let r = 0; r <= cfg.numResBlocks[level]; r++, block++) {
      const skip = skips.pop();
      if (!skip) throw new Error('unet: output_blocks consume more skips than input_blocks produced');
      let hsp = skip.t;
      if (opts.control) hsp = g.op('Add', [hsp, controlInput(g, `control_output_${skips.length}`)]);
      for (const f of opts.freeU ?? []) {
        const scale = hChannels === cfg.modelChannels * 4 ? [f.b1, f.s1] : hChannels === cfg.modelChannels * 2 ? [f.b2, f.s2] : undefined;
        if (!scale) continue;
        h = freeUBackbone(g, h, hChannels, scale[0], f.version);
        hsp = fourierFilter(g, hsp, scale[1]);
      }
      h = resBlock(g.op('Concat', [h, hsp], { axis: 1 }), `output_blocks.${block}.0`);
      hChannels = L.shape(`output_blocks.${block}.0.out_layers.3.weight`)[0];
      const depth = cfg.transformerDepthOutput[block];
      if (depth) h = spatialTransformer(h, `output_blocks.${block}.1`, depth);
      if (level > 0 && r === cfg.numResBlocks[level]) {
        const next = skips.at(-1);
        if (!next) throw new Error('unet: an upsample has no skip tensor left to take its size from');
        h = upsample(h, `output_blocks.${block}.${depth ? 2 : 1}`, next.size);
      }
    }
  }

  if (gl && transformerIndex !== gl.model.fusers.length) {
    throw new Error(
      `GLIGEN model has ${gl.model.fusers.length} fusers for the ${transformerIndex} SpatialTransformers of this UNet: a GLIGEN model for another model family?`,
    );
  }
  const out = L.conv(L.silu(L.groupNorm(h, 'out.0', 32, 1e-5)), 'out.2');
  g.output(g.fp32(out), 'out', 'float32', ['B', cfg.outChannels, 'H', 'W']);
  // a hypernetwork may hold widths this UNet has no attention of (A1111 files carry 1024 for SD1)
  assertAllWeightsUsed(
    g,
    weights,
    'unet',
    (opts.hypernets ?? []).map((hn) => new RegExp(`^${hn.prefix.replace(/[.]/g, '\\.')}`)),
  );
  return g;
}

/**
 * GLIGEN's PositionNet: phrase embeddings and Fourier box features (padding rows replaced by the learned null
 * features) through Linear-SiLU-Linear-SiLU-Linear → grounding tokens [B, 30, keyDim].
 * Inputs gligen_embeddings [B, 30, inDim], gligen_fourier [B, 30, 64], gligen_masks [B, 30, 1].
 */
function positionNet(g: Graph, L: Layers, prefix: string, model: GligenModel): Value {
  const p = `${prefix}position_net`;
  const emb = g.compute(g.input('gligen_embeddings', 'float32', ['B', GLIGEN_MAX_OBJS, model.inDim]));
  const fourier = g.compute(g.input('gligen_fourier', 'float32', ['B', GLIGEN_MAX_OBJS, GLIGEN_POSITION_DIM]));
  const masks = g.compute(g.input('gligen_masks', 'float32', ['B', GLIGEN_MAX_OBJS, 1]));
  const inverse = g.op('Sub', [g.scalar(1), masks]);
  const orNull = (x: Value, key: string) => g.op('Add', [g.op('Mul', [x, masks]), g.op('Mul', [inverse, L.param(key)])]);
  const x = g.op('Concat', [orNull(emb, `${p}.null_positive_feature`), orNull(fourier, `${p}.null_position_feature`)], { axis: -1 });
  return L.linear(L.silu(L.linear(L.silu(L.linear(x, `${p}.linears.0`)), `${p}.linears.2`)), `${p}.linears.4`);
}

/** A ControlNet residual input [B, C, h, w] (fp32 at the boundary, as every input). */
function controlInput(g: Graph, name: string): Value {
  return g.compute(g.input(name, 'float32', ['B', `${name}_C`, `${name}_H`, `${name}_W`]));
}

/** [cos(t·f), sin(t·f)] (cos first) for float timesteps [B] → [B, dim]. */
function timestepEmbedding(g: Graph, t: Value, dim: number): Value {
  const args = g.op('Mul', [g.op('Unsqueeze', [t, g.ints([1])]), g.constant(timestepFrequencies(dim))]);
  return g.op('Concat', [g.op('Cos', [args]), g.op('Sin', [args])], { axis: 1 });
}

/** The activations A1111 hypernetworks name (torch defaults: LeakyReLU 0.01, ELU 1; "swish" is torch's Hardswish). */
function activation(g: Graph, x: Value, fn: HypernetActivation): Value {
  switch (fn) {
    case 'linear':
      return x;
    case 'relu':
      return g.op('Relu', [x]);
    case 'leakyrelu':
      return g.op('LeakyRelu', [x], { alpha: 0.01 });
    case 'elu':
      return g.op('Elu', [x], { alpha: 1 });
    case 'swish':
      return g.op('HardSwish', [x]);
    case 'tanh':
      return g.op('Tanh', [x]);
    case 'sigmoid':
      return g.op('Sigmoid', [x]);
    case 'softsign':
      return g.op('Softsign', [x]);
    case 'mish':
      return g.op('Mul', [x, g.op('Tanh', [g.op('Softplus', [x])])]);
  }
}

/** FreeU's backbone scaling of the first half of h's channels: by b (v1), or by 1 + (b − 1)·normalised channel mean (v2). */
function freeUBackbone(g: Graph, h: Value, channels: number, b: number, version: 1 | 2): Value {
  const half = Math.floor(channels / 2);
  const [first, rest] = g.opN('Split', [h, g.ints([half, channels - half])], { axis: 1 }, 2);
  let factor: Value = g.scalar(b);
  if (version === 2) {
    // opset 17: ReduceMean/Max/Min take their axes as an attribute (ReduceSum as an input)
    const mean = g.op('ReduceMean', [h], { axes: [1], keepdims: 1 });
    const max = g.op('ReduceMax', [mean], { axes: [2, 3], keepdims: 1 });
    const min = g.op('ReduceMin', [mean], { axes: [2, 3], keepdims: 1 });
    const norm = g.op('Div', [g.op('Sub', [mean, min]), g.op('Sub', [max, min])]);
    factor = g.op('Add', [g.op('Mul', [g.scalar(b - 1), norm]), g.scalar(1)]);
  }
  return g.op('Concat', [g.op('Mul', [first, factor]), rest], { axis: 1 });
}

/**
 * ComfyUI's Fourier_filter(x, threshold=1, scale=s): after fftshift the centre 2×2 frequencies — frequencies 0 and −1
 * on each axis (only 0 on an axis of length 1) — are scaled by s. The filter is linear, so it is computed directly:
 * x + (s − 1)·Re(Σ over those (u, v) of X(u, v)·e^{iψ}/HW), ψ = 2π(u·y/H + v·x/W), without an FFT.
 */
function fourierFilter(g: Graph, x: Value, s: number): Value {
  if (s === 1) return x;
  const f32 = (t: Value) => g.op('Cast', [t], { to: 1 });
  const xf = f32(x);
  const shape = g.op('Shape', [x]);
  const dim = (i: number) => g.op('Slice', [shape, g.ints([i]), g.ints([i + 1])]);
  const H = f32(dim(2));
  const W = f32(dim(3));
  const range = (n: Value) =>
    g.op('Range', [g.constant(Float32Array.of(0), [], 'float32'), g.op('Squeeze', [n, g.ints([0])]), g.constant(Float32Array.of(1), [], 'float32')]);
  // angle per unit of frequency −1: −2π·y/H (column) and −2π·x/W (row)
  const twoPi = g.constant(Float32Array.of(-2 * Math.PI), [], 'float32');
  const ay = g.op('Unsqueeze', [g.op('Div', [g.op('Mul', [range(H), twoPi]), H]), g.ints([1])]);
  const ax = g.op('Unsqueeze', [g.op('Div', [g.op('Mul', [range(W), twoPi]), W]), g.ints([0])]);
  // an axis of length 1 has only frequency 0: its −1 term is dropped (mask 0), not counted twice
  const keepY = f32(g.op('Greater', [dim(2), g.constant(BigInt64Array.of(1n), [1])]));
  const keepX = f32(g.op('Greater', [dim(3), g.constant(BigInt64Array.of(1n), [1])]));
  const zero = g.constant(Float32Array.of(0), [1, 1], 'float32');
  let acc: Value | undefined;
  for (const [u, v] of [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ]) {
    const psi = g.op('Add', [u ? ay : zero, v ? ax : zero]);
    const cos = g.op('Cos', [psi]);
    const sin = g.op('Sin', [psi]);
    const c = g.op('ReduceSum', [g.op('Mul', [xf, cos]), g.ints([2, 3])], { keepdims: 1 });
    const sn = g.op('ReduceSum', [g.op('Mul', [xf, sin]), g.ints([2, 3])], { keepdims: 1 });
    let term = g.op('Add', [g.op('Mul', [c, cos]), g.op('Mul', [sn, sin])]);
    if (u) term = g.op('Mul', [term, keepY]);
    if (v) term = g.op('Mul', [term, keepX]);
    acc = acc ? g.op('Add', [acc, term]) : term;
  }
  const proj = g.op('Div', [acc as Value, g.op('Mul', [H, W])]);
  const out = g.op('Add', [xf, g.op('Mul', [proj, g.constant(Float32Array.of(s - 1), [], 'float32')])]);
  return g.compute(out);
}
