import type { Graph, Value } from './builder';
import type { WeightProvider } from '../checkpoint/weights';

/**
 * Layer helpers over the graph builder. Each takes the checkpoint prefix of the layer
 * (e.g. `input_blocks.1.0.in_layers.2`) and reads `${prefix}.weight` / `${prefix}.bias`,
 * so a model file reads like the architecture and its names are the checkpoint keys.
 */
export type AttentionKernel = 'fused' | 'standard';

export interface LayerOptions {
  /**
   * `fused` emits com.microsoft MultiHeadAttention (CPU, CUDA and WebGPU implement it; on CPU it runs
   * a flash-style kernel that never holds the [B,heads,T,S] score tensor), `standard` the MatMul/Softmax path.
   */
  attention?: AttentionKernel;
  /** run attention in fp32 inside an fp16 graph (SD2's attention overflows fp16, as ComfyUI and ORT's optimiser know) */
  upcastAttention?: boolean;
}

export class Layers {
  readonly attentionKernel: AttentionKernel;
  readonly upcastAttention: boolean;

  constructor(
    readonly g: Graph,
    readonly weights: WeightProvider,
    readonly component: string,
    opts: LayerOptions = {},
  ) {
    this.attentionKernel = opts.attention ?? 'standard';
    this.upcastAttention = (opts.upcastAttention ?? false) && g.float === 'float16';
  }

  /** Stored shape of a checkpoint tensor; a missing tensor is an error naming it. */
  shape(key: string): readonly number[] {
    if (!this.weights.has(key)) throw new Error(`${this.component}: missing weight ${key}`);
    return this.weights.info(key).shape;
  }

  has(key: string): boolean {
    return this.weights.has(key);
  }

  param(key: string, dims?: readonly number[]): Value {
    return this.g.weight(key, dims ?? this.shape(key));
  }

  /** y = x W^T + b over the last axis; W is pre-transposed into the cache so MatMul needs no fold. */
  linear(x: Value, prefix: string, bias = true): Value {
    const [out, inp] = this.shape(`${prefix}.weight`);
    const w = this.g.weight(`${prefix}.weight`, [inp, out], 'transpose');
    const y = this.g.op('MatMul', [x, w]);
    return bias ? this.g.op('Add', [y, this.param(`${prefix}.bias`)]) : y;
  }

  conv(x: Value, prefix: string, opts: { stride?: number; pad?: readonly number[] } = {}): Value {
    const shape = this.shape(`${prefix}.weight`);
    const k = shape[2];
    const p = opts.pad ?? [(k - 1) >> 1, (k - 1) >> 1, (k - 1) >> 1, (k - 1) >> 1];
    const s = opts.stride ?? 1;
    return this.g.op('Conv', [x, this.param(`${prefix}.weight`), this.param(`${prefix}.bias`)], {
      kernel_shape: [k, shape[3]],
      pads: p,
      strides: [s, s],
    });
  }

  /** GroupNorm over NCHW as Reshape → InstanceNormalization → Reshape → affine (runs on every provider). */
  groupNorm(x: Value, prefix: string, groups: number, eps: number): Value {
    const g = this.g;
    const [c] = this.shape(`${prefix}.weight`);
    if (c % groups) throw new Error(`${this.component}: ${prefix} has ${c} channels, not divisible into ${groups} groups`);
    const grouped = g.op('Reshape', [x, g.ints([0, groups, -1])]);
    const ones = g.fconst(new Float32Array(groups).fill(1), [groups]);
    const zeros = g.fconst(new Float32Array(groups), [groups]);
    const normed = g.op('InstanceNormalization', [grouped, ones, zeros], { epsilon: eps });
    const back = g.op('Reshape', [normed, g.op('Shape', [x])]);
    const scaled = g.op('Mul', [back, this.param(`${prefix}.weight`, [c, 1, 1])]);
    return g.op('Add', [scaled, this.param(`${prefix}.bias`, [c, 1, 1])]);
  }

  layerNorm(x: Value, prefix: string, eps = 1e-5): Value {
    return this.g.op('LayerNormalization', [x, this.param(`${prefix}.weight`), this.param(`${prefix}.bias`)], { axis: -1, epsilon: eps });
  }

  silu(x: Value): Value {
    return this.g.op('Mul', [x, this.g.op('Sigmoid', [x])]);
  }

  /** exact GELU: x·Φ(x) = x·(1 + erf(x/√2))·0.5, in the op order onnxruntime's GeluFusion recognises */
  gelu(x: Value): Value {
    const g = this.g;
    const erf = g.op('Erf', [g.op('Div', [x, g.scalar(Math.SQRT2)])]);
    return g.op('Mul', [g.op('Mul', [x, g.op('Add', [erf, g.scalar(1)])]), g.scalar(0.5)]);
  }

  /** OpenAI CLIP's x·σ(1.702x) */
  quickGelu(x: Value): Value {
    return this.g.op('Mul', [x, this.g.op('Sigmoid', [this.g.op('Mul', [x, this.g.scalar(1.702)])])]);
  }

  /**
   * softmax(q kᵀ · d^-½ [+ mask]) v for [B, T, heads·d] inputs, heads split and merged inside.
   * `mask` is added to the [B, heads, T, S] scores.
   */
  attention(q: Value, k: Value, v: Value, heads: number, dim: number, mask?: Value): Value {
    const g = this.g;
    if (this.upcastAttention) {
      const f32 = (t: Value) => g.op('Cast', [t], { to: 1 });
      return g.compute(
        this.attentionIn(f32(q), f32(k), f32(v), heads, dim, mask && f32(mask), g.constant(Float32Array.of(1 / Math.sqrt(dim / heads)), [])),
      );
    }
    return this.attentionIn(q, k, v, heads, dim, mask, g.scalar(1 / Math.sqrt(dim / heads)));
  }

  private attentionIn(q: Value, k: Value, v: Value, heads: number, dim: number, mask: Value | undefined, scale: Value): Value {
    const g = this.g;
    const d = dim / heads;
    if (this.attentionKernel === 'fused' && !mask) {
      return g.opN('MultiHeadAttention', [q, k, v], { num_heads: heads, scale: { float: 1 / Math.sqrt(d) } }, 1, 'com.microsoft')[0];
    }
    const split = (t: Value, perm: number[]) => g.op('Transpose', [g.op('Reshape', [t, g.ints([0, 0, heads, d])])], { perm });
    const qh = split(q, [0, 2, 1, 3]);
    const kt = split(k, [0, 2, 3, 1]);
    const vh = split(v, [0, 2, 1, 3]);
    let scores = g.op('Mul', [g.op('MatMul', [qh, kt]), scale]);
    if (mask) scores = g.op('Add', [scores, mask]);
    const probs = g.op('Softmax', [scores], { axis: -1 });
    const merged = g.op('Transpose', [g.op('MatMul', [probs, vh])], { perm: [0, 2, 1, 3] });
    return g.op('Reshape', [merged, g.ints([0, 0, dim])]);
  }
}

/** Names a provider holds that a built graph did not read, minus known inert extras. */
export function unusedWeights(g: Graph, weights: WeightProvider, ignore: readonly RegExp[]): string[] {
  const used = new Set(g.weights().map((w) => w.key));
  return weights.names().filter((n) => !used.has(n) && !ignore.some((r) => r.test(n)));
}

/** Strict loading: every weight consumed or explicitly ignored. */
export function assertAllWeightsUsed(g: Graph, weights: WeightProvider, component: string, ignore: readonly RegExp[] = []): void {
  const unused = unusedWeights(g, weights, ignore);
  if (unused.length) {
    const shown = unused.slice(0, 10).join(', ');
    throw new Error(`${component}: ${unused.length} unused weight(s) in the checkpoint: ${shown}${unused.length > 10 ? ', …' : ''}`);
  }
}
