import { Graph, type FloatType, type Value } from '../onnx/builder';
import { Layers, assertAllWeightsUsed } from '../onnx/nn';
import type { WeightProvider } from '../checkpoint/weights';
import type { ClipConfig, ClipLayout } from '../checkpoint/arch/clip';

/** Per-layout tensor names; the graph below is the same pre-LN transformer for both. */
interface ClipNames {
  tokenEmbedding: string;
  positionEmbedding: string;
  layer: (i: number) => string;
  ln1: string;
  ln2: string;
  outProj: string;
  fc1: string;
  fc2: string;
  finalLn: string;
}

const NAMES: Record<ClipLayout, ClipNames> = {
  hf: {
    tokenEmbedding: 'embeddings.token_embedding.weight',
    positionEmbedding: 'embeddings.position_embedding.weight',
    layer: (i) => `encoder.layers.${i}`,
    ln1: 'layer_norm1',
    ln2: 'layer_norm2',
    outProj: 'self_attn.out_proj',
    fc1: 'mlp.fc1',
    fc2: 'mlp.fc2',
    finalLn: 'final_layer_norm',
  },
  openclip: {
    tokenEmbedding: 'token_embedding.weight',
    positionEmbedding: 'positional_embedding',
    layer: (i) => `transformer.resblocks.${i}`,
    ln1: 'ln_1',
    ln2: 'ln_2',
    outProj: 'attn.out_proj',
    fc1: 'mlp.c_fc',
    fc2: 'mlp.c_proj',
    finalLn: 'ln_final',
  },
};

/** Inert tensors real checkpoints carry beside the text tower. */
export const CLIP_IGNORED: readonly RegExp[] = [/(^|\.)position_ids$/, /(^|\.)logit_scale$/];

/** Graph output names: raw hidden state after layer i (0 = embeddings) and the same through the final LayerNorm. */
export const clipHidden = (i: number): string => `hidden_states.${i}`;
export const clipNormed = (i: number): string => `normed_states.${i}`;

/**
 * CLIP text transformer. Input ids int32 [B, positions]. Outputs `hidden_states.{0..L}`,
 * `normed_states.{1..L}` (final LayerNorm applied; `normed_states.L` is last_hidden_state), and
 * `pooled` [B, projection] when the tower has text_projection (taken at the first argmax token, the EOS).
 */
export function buildClip(weights: WeightProvider, cfg: ClipConfig, float: FloatType = 'float32'): Graph {
  const g = new Graph('clip', float);
  const L = new Layers(g, weights, 'clip');
  const n = NAMES[cfg.layout];
  const P = cfg.positions;
  const ids = g.input('input_ids', 'int32', ['B', P]);
  // textual-inversion vectors: id −1−k takes row k of `extra_embeds` instead of a vocabulary row (ComfyUI's
  // process_tokens splices them in the same way); callers without embeddings feed one unused row
  const extras = g.input('extra_embeds', 'float32', ['E', cfg.width]);
  const zero = g.constant(Int32Array.of(0), []);
  const isExtra = g.op('Less', [ids, zero]);
  const vocabRows = g.op('Gather', [L.param(n.tokenEmbedding), g.op('Max', [ids, zero])], { axis: 0 });
  const extraRows = g.op('Gather', [g.compute(extras), g.op('Max', [g.op('Sub', [g.constant(Int32Array.of(-1), []), ids]), zero])], { axis: 0 });
  const tokens = g.op('Where', [g.op('Unsqueeze', [isExtra, g.ints([-1])]), extraRows, vocabRows]);
  let x = g.op('Add', [tokens, L.param(n.positionEmbedding)]);
  const mask = g.fconst(causalMask(P), [P, P]);
  const act = (t: Value) => (cfg.activation === 'quick_gelu' ? L.quickGelu(t) : L.gelu(t));

  const qkv = (h: Value, p: string): [Value, Value, Value] => {
    if (cfg.layout === 'hf') {
      return [L.linear(h, `${p}.self_attn.q_proj`), L.linear(h, `${p}.self_attn.k_proj`), L.linear(h, `${p}.self_attn.v_proj`)];
    }
    // open_clip stacks q;k;v in one in_proj
    const w = g.weight(`${p}.attn.in_proj_weight`, [cfg.width, 3 * cfg.width], 'transpose');
    const packed = g.op('Add', [g.op('MatMul', [h, w]), L.param(`${p}.attn.in_proj_bias`)]);
    const [q, k, v] = g.opN('Split', [packed], { axis: -1 }, 3);
    return [q, k, v];
  };

  g.output(g.fp32(x), clipHidden(0), 'float32', ['B', P, cfg.width]);
  const normed: Value[] = [];
  for (let i = 0; i < cfg.layers; i++) {
    const p = n.layer(i);
    const [q, k, v] = qkv(L.layerNorm(x, `${p}.${n.ln1}`), p);
    x = g.op('Add', [x, L.linear(L.attention(q, k, v, cfg.heads, cfg.width, mask), `${p}.${n.outProj}`)]);
    x = g.op('Add', [x, L.linear(act(L.linear(L.layerNorm(x, `${p}.${n.ln2}`), `${p}.${n.fc1}`)), `${p}.${n.fc2}`)]);
    g.output(g.fp32(x), clipHidden(i + 1), 'float32', ['B', P, cfg.width]);
    normed.push(L.layerNorm(x, n.finalLn));
    g.output(g.fp32(normed[i]), clipNormed(i + 1), 'float32', ['B', P, cfg.width]);
  }

  if (cfg.projectionDim !== undefined) {
    const last = normed[cfg.layers - 1];
    // one-hot row selection is exact: the EOS is the largest id, so argmax finds the first one
    const eos = g.op('ArgMax', [g.op('Cast', [ids], { to: 1 })], { axis: -1, keepdims: 1 });
    const onehot = g.op('OneHot', [eos, g.constant(BigInt64Array.of(BigInt(P)), []), g.fconst([0, 1])], { axis: -1 });
    const row = g.op('Squeeze', [g.op('MatMul', [onehot, last]), g.ints([1])]);
    const pooled = cfg.layout === 'hf' ? L.linear(row, 'text_projection', false) : g.op('MatMul', [row, L.param('text_projection')]);
    g.output(g.fp32(pooled), 'pooled', 'float32', ['B', cfg.projectionDim]);
  }
  assertAllWeightsUsed(g, weights, 'clip', CLIP_IGNORED);
  return g;
}

function causalMask(n: number): Float32Array {
  const m = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) m[i * n + j] = -Infinity;
  return m;
}
