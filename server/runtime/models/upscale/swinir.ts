/**
 * SwinIR (spandrel's SwinIR arch = the official network_swinir.py) as an ONNX graph with dynamic H and W: conv_first,
 * residual Swin transformer blocks (window attention with relative position bias, shifted windows with ComfyUI's
 * -100 mask, computed in the graph for the padded size), conv_after_body, and one of the four reconstruction heads.
 * Names are the file's. The image arrives reflect-padded to a multiple of the window (the runner pads and crops).
 */
import { Graph, type FloatType, type Value } from '../../onnx/builder';
import { Layers, assertAllWeightsUsed } from '../../onnx/nn';
import type { WeightProvider } from '../../checkpoint/weights';
import type { StateDict } from '../../io/tensor';
import { seqLen, shapeOf } from './shapes';

export type SwinIRUpsampler = 'pixelshuffle' | 'pixelshuffledirect' | 'nearest+conv' | '';

export interface SwinIRConfig {
  inChannels: number;
  embedDim: number;
  /** blocks per residual group */
  depths: number[];
  heads: number[];
  window: number;
  /** shift of the odd blocks: window/2, or 0 when the training size was not larger than the window */
  shift: number;
  upsampler: SwinIRUpsampler;
  scale: number;
  resiConnection: '1conv' | '3conv';
  /** 255 for the JPEG-artifact models (window 7), else 1 */
  imgRange: number;
}

/** SwinIR subtracts the DIV2K mean from RGB input */
const RGB_MEAN = [0.4488, 0.4371, 0.404];
/** torch's LeakyReLU default slope (conv_before_upsample), and SwinIR's own 0.2 elsewhere */
const SLOPE_DEFAULT = 0.01;
const SLOPE = 0.2;
const BLOCK0 = 'layers.0.residual_group.blocks.0';

/** Buffers SwinIR recomputes from the window and the input size (as it does whenever the size differs from training). */
export const SWINIR_BUFFERS: readonly RegExp[] = [/\.attn\.relative_position_index$/, /\.attn_mask$/];

export function deriveSwinIRConfig(dict: StateDict): SwinIRConfig {
  if (dict.has('conv_first.1.weight')) {
    throw new Error('SwinIR with an unshuffled start (conv_first.1: bicubic upsample + pixel unshuffle) is not supported');
  }
  const [embedDim, inChannels] = shapeOf(dict, 'conv_first.weight', 4);
  const [n2] = shapeOf(dict, `${BLOCK0}.attn.relative_position_index`, 2);
  const window = Math.round(Math.sqrt(n2));
  if (window * window !== n2) throw new Error(`SwinIR: relative_position_index is ${n2}x${n2}, not a square window`);
  // the training size, from the stored mask of the first shifted block (spandrel's default 64 when there is none)
  const mask = dict.get('layers.0.residual_group.blocks.1.attn_mask');
  const imgSize = mask ? Math.round(Math.sqrt(mask.shape[0]) * window) : 64;
  const layers = seqLen(dict, 'layers');
  const depths: number[] = [];
  const heads: number[] = [];
  for (let i = 0; i < layers; i++) {
    depths.push(seqLen(dict, `layers.${i}.residual_group.blocks`));
    heads.push(shapeOf(dict, `layers.${i}.residual_group.blocks.0.attn.relative_position_bias_table`, 2)[1]);
    if (embedDim % heads[i] !== 0) throw new Error(`SwinIR: ${embedDim} channels do not split into ${heads[i]} heads (layer ${i})`);
  }
  let upsampler: SwinIRUpsampler = '';
  let scale = 1;
  if (dict.has('conv_before_upsample.0.weight')) {
    if (dict.has('conv_up1.weight')) {
      upsampler = 'nearest+conv';
      scale = 2 ** [...dict.keys()].filter((k) => k.includes('conv_up') && !k.includes('bias')).length;
    } else {
      upsampler = 'pixelshuffle';
      for (let i = 0; dict.has(`upsample.${i}.weight`); i += 2) scale *= shuffleFactor(dict, `upsample.${i}.weight`);
    }
  } else if (dict.has('upsample.0.weight')) {
    upsampler = 'pixelshuffledirect';
    const [out] = shapeOf(dict, 'upsample.0.bias', 1);
    scale = Math.round(Math.sqrt(out / inChannels));
    if (scale * scale * inChannels !== out) throw new Error(`SwinIR: upsample.0 gives ${out} channels, not ${inChannels}·scale²`);
  }
  return {
    inChannels,
    embedDim,
    depths,
    heads,
    window,
    shift: imgSize <= window ? 0 : window >> 1,
    upsampler,
    scale,
    resiConnection: dict.has('conv_after_body.weight') ? '1conv' : '3conv',
    imgRange: window === 7 ? 255 : 1,
  };
}

/** A pixel-shuffle conv's factor: out = in·r². */
function shuffleFactor(dict: StateDict, key: string): number {
  const [out, inp] = shapeOf(dict, key, 4);
  const r = Math.round(Math.sqrt(out / inp));
  if (r * r * inp !== out) throw new Error(`SwinIR: ${key} maps ${inp} to ${out} channels, not a pixel-shuffle factor`);
  return r;
}

/** SwinIR's relative_position_index for a window: index into the (2w-1)² bias table for every query/key pair. */
export function relativePositionIndex(w: number): number[] {
  const n = w * w;
  const out = new Array<number>(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const dh = Math.floor(i / w) - Math.floor(j / w) + w - 1;
      const dw = (i % w) - (j % w) + w - 1;
      out[i * n + j] = dh * (2 * w - 1) + dw;
    }
  }
  return out;
}

/** x [1, C, H, W] with H, W multiples of the window → y [1, C, H·scale, W·scale] (unclamped, uncropped). */
export function buildSwinIR(weights: WeightProvider, cfg: SwinIRConfig, float: FloatType = 'float32'): Graph {
  const g = new Graph('swinir', float);
  const L = new Layers(g, weights, 'SwinIR');
  const E = cfg.embedDim;
  const ws = cfg.window;
  const N = ws * ws;
  const i64 = (v: number) => g.constant([v], [], 'int64');
  const lrelu = (v: Value, alpha: number) => g.op('LeakyRelu', [v], { alpha: { float: alpha } });
  const nearest2x = (v: Value) =>
    g.op('Resize', [v, null, g.constant(Float32Array.of(1, 1, 2, 2))], {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    });

  let x = g.compute(g.input('x', 'float32', [1, cfg.inChannels, 'H', 'W']));
  const mean = cfg.inChannels === 3 ? g.fconst(RGB_MEAN, [1, 3, 1, 1]) : undefined;
  if (mean) x = g.op('Sub', [x, mean]);
  if (cfg.imgRange !== 1) x = g.op('Mul', [x, g.scalar(cfg.imgRange)]);

  const xFirst = L.conv(x, 'conv_first');
  // dynamic sizes: [1, E, H, W] of the features, H and W as [1] int64, and window counts per side
  const featShape = g.op('Shape', [xFirst]);
  const H = g.op('Shape', [xFirst], { start: 2, end: 3 });
  const W = g.op('Shape', [xFirst], { start: 3, end: 4 });
  const nh = g.op('Div', [H, g.ints([ws])]);
  const nw = g.op('Div', [W, g.ints([ws])]);
  const shape = (...parts: (Value | number)[]) =>
    g.op(
      'Concat',
      parts.map((p) => (typeof p === 'number' ? g.ints([p]) : p)),
      { axis: 0 },
    );

  /** [1, H, W, C] → [nW, N, C], windows in row-major order */
  const partition = (t: Value, c: number) => {
    const six = g.op('Reshape', [t, shape(1, nh, ws, nw, ws, c)]);
    return g.op('Reshape', [g.op('Transpose', [six], { perm: [0, 1, 3, 2, 4, 5] }), g.ints([-1, N, c])]);
  };
  const reverse = (t: Value) => {
    const six = g.op('Reshape', [t, shape(1, nh, nw, ws, ws, E)]);
    return g.op('Reshape', [g.op('Transpose', [six], { perm: [0, 1, 3, 2, 4, 5] }), shape(1, H, W, E)]);
  };
  /** torch.roll over H and W of [1, H, W, C] by `by`: out[i] = x[(i - by) mod n] = cat(x[-by:], x[:-by]) */
  const roll = (t: Value, by: number) => {
    let r = t;
    for (const axis of [1, 2]) {
      const head = g.op('Slice', [r, g.ints([-by]), g.ints([2 ** 62]), g.ints([axis])]);
      const tail = g.op('Slice', [r, g.ints([0]), g.ints([-by]), g.ints([axis])]);
      r = g.op('Concat', [head, tail], { axis });
    }
    return r;
  };

  // the shifted-window mask (calculate_mask) for this size: region labels 0..8, -100 between different regions
  let mask: Value | undefined;
  if (cfg.shift > 0 && cfg.depths.some((d) => d > 1)) {
    const labels = (size: Value) => {
      const idx = g.op('Range', [i64(0), g.op('Squeeze', [size, g.ints([0])]), i64(1)]);
      const from = (k: number) => g.op('Cast', [g.op('GreaterOrEqual', [idx, g.op('Sub', [size, g.ints([k])])])], { to: 1 });
      return g.op('Add', [from(ws), from(cfg.shift)]);
    };
    const grid = g.op('Add', [
      g.op('Mul', [g.op('Unsqueeze', [labels(H), g.ints([1])]), g.constant(Float32Array.of(3), [])]),
      g.op('Unsqueeze', [labels(W), g.ints([0])]),
    ]);
    const windows = g.op('Reshape', [partition(g.op('Reshape', [grid, shape(1, H, W, 1)]), 1), g.ints([-1, N])]);
    const diff = g.op('Sub', [g.op('Unsqueeze', [windows, g.ints([1])]), g.op('Unsqueeze', [windows, g.ints([2])])]);
    const m = g.op('Where', [
      g.op('Equal', [diff, g.constant(Float32Array.of(0), [])]),
      g.constant(Float32Array.of(0), []),
      g.constant(Float32Array.of(-100), []),
    ]);
    mask = g.compute(g.op('Unsqueeze', [m, g.ints([1])]));
  }
  const posIndex = g.constant(relativePositionIndex(ws), [N * N]);

  const attention = (win: Value, p: string, heads: number, masked: boolean): Value => {
    const hd = E / heads;
    const qkv = g.op('Transpose', [g.op('Reshape', [L.linear(win, `${p}.qkv`), g.ints([-1, N, 3, heads, hd])])], { perm: [2, 0, 3, 1, 4] });
    const part = (i: number) => g.op('Gather', [qkv, i64(i)], { axis: 0 });
    const q = g.op('Mul', [part(0), g.scalar(hd ** -0.5)]);
    let scores = g.op('MatMul', [q, g.op('Transpose', [part(1)], { perm: [0, 1, 3, 2] })]);
    const table = L.param(`${p}.relative_position_bias_table`);
    const bias = g.op('Transpose', [g.op('Reshape', [g.op('Gather', [table, posIndex], { axis: 0 }), g.ints([N, N, heads])])], { perm: [2, 0, 1] });
    scores = g.op('Add', [scores, bias]);
    if (masked && mask) scores = g.op('Add', [scores, mask]);
    const out = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), part(2)]);
    return L.linear(g.op('Reshape', [g.op('Transpose', [out], { perm: [0, 2, 1, 3] }), g.ints([-1, N, E])]), `${p}.proj`);
  };

  const swinBlock = (t: Value, p: string, heads: number, shifted: boolean): Value => {
    let h = g.op('Reshape', [L.layerNorm(t, `${p}.norm1`), shape(1, H, W, E)]);
    if (shifted) h = roll(h, -cfg.shift);
    h = reverse(attention(partition(h, E), `${p}.attn`, heads, shifted));
    if (shifted) h = roll(h, cfg.shift);
    const x1 = g.op('Add', [t, g.op('Reshape', [h, g.ints([1, -1, E])])]);
    const mlp = L.linear(L.gelu(L.linear(L.layerNorm(x1, `${p}.norm2`), `${p}.mlp.fc1`)), `${p}.mlp.fc2`);
    return g.op('Add', [x1, mlp]);
  };

  const embed = (v: Value) => g.op('Transpose', [g.op('Reshape', [v, g.ints([0, 0, -1])])], { perm: [0, 2, 1] });
  const unembed = (t: Value) => g.op('Reshape', [g.op('Transpose', [t], { perm: [0, 2, 1] }), featShape]);
  const resiConv = (v: Value, p: string) =>
    cfg.resiConnection === '1conv' ? L.conv(v, p) : L.conv(lrelu(L.conv(lrelu(L.conv(v, `${p}.0`), SLOPE), `${p}.2`), SLOPE), `${p}.4`);

  // forward_features
  let t = embed(xFirst);
  if (L.has('patch_embed.norm.weight')) t = L.layerNorm(t, 'patch_embed.norm');
  cfg.depths.forEach((depth, i) => {
    const res = t;
    for (let b = 0; b < depth; b++) {
      t = swinBlock(t, `layers.${i}.residual_group.blocks.${b}`, cfg.heads[i], b % 2 === 1 && cfg.shift > 0);
    }
    t = g.op('Add', [embed(resiConv(unembed(t), `layers.${i}.conv`)), res]);
  });
  const features = unembed(L.layerNorm(t, 'norm'));
  const body = g.op('Add', [resiConv(features, 'conv_after_body'), xFirst]);

  let y: Value;
  if (cfg.upsampler === 'pixelshuffle') {
    let h = lrelu(L.conv(body, 'conv_before_upsample.0'), SLOPE_DEFAULT);
    for (let i = 0; L.has(`upsample.${i}.weight`); i += 2) {
      const [out, inp] = L.shape(`upsample.${i}.weight`);
      h = g.op('DepthToSpace', [L.conv(h, `upsample.${i}`)], { blocksize: Math.round(Math.sqrt(out / inp)), mode: 'CRD' });
    }
    y = L.conv(h, 'conv_last');
  } else if (cfg.upsampler === 'pixelshuffledirect') {
    y = g.op('DepthToSpace', [L.conv(body, 'upsample.0')], { blocksize: cfg.scale, mode: 'CRD' });
  } else if (cfg.upsampler === 'nearest+conv') {
    let h = lrelu(L.conv(body, 'conv_before_upsample.0'), SLOPE_DEFAULT);
    for (let i = 1; L.has(`conv_up${i}.weight`); i++) h = lrelu(L.conv(nearest2x(h), `conv_up${i}`), SLOPE);
    y = L.conv(lrelu(L.conv(h, 'conv_hr'), SLOPE), 'conv_last');
  } else {
    y = g.op('Add', [x, L.conv(body, 'conv_last')]);
  }
  if (cfg.imgRange !== 1) y = g.op('Div', [y, g.scalar(cfg.imgRange)]);
  if (mean) y = g.op('Add', [y, mean]);
  g.output(g.fp32(y), 'y', 'float32', [1, cfg.inChannels, 'OH', 'OW']);
  assertAllWeightsUsed(g, weights, 'SwinIR', SWINIR_BUFFERS);
  return g;
}
