/**
 * The T2I style adapter (ComfyUI comfy/t2i_adapter/adapter.py StyleAdapter, t2iadapter_style files): learned style
 * tokens appended to a CLIP vision last_hidden_state, ln_pre, OpenAI-CLIP residual attention blocks, ln_post on the
 * style tokens, then `proj` into the text context width. Output: style tokens [B, tokens, context].
 */
import { Graph } from '../onnx/builder';
import { Layers, assertAllWeightsUsed } from '../onnx/nn';
import type { WeightProvider } from '../checkpoint/weights';

export interface StyleAdapterConfig {
  width: number;
  contextDim: number;
  layers: number;
  tokens: number;
  /** ComfyUI builds every StyleAdapter with 8 heads (load_style_model); the file does not say */
  heads: number;
}

export function deriveStyleAdapterConfig(w: WeightProvider, name: string): StyleAdapterConfig {
  const need = (k: string) => {
    if (!w.has(k))
      throw new Error(
        `${name}: no ${k}: not a T2I style adapter (found ${[...new Set(w.names().map((n) => n.split('.')[0]))].slice(0, 6).join(', ')})`,
      );
    return w.info(k).shape;
  };
  const [one, tokens, width] = need('style_embedding');
  const [pw, contextDim] = need('proj');
  if (one !== 1 || pw !== width)
    throw new Error(`${name}: style_embedding [${one}, ${tokens}, ${width}] and proj [${pw}, ${contextDim}] do not fit together`);
  let layers = 0;
  while (w.has(`transformer_layes.${layers}.attn.in_proj_weight`)) layers++;
  if (layers === 0) need('transformer_layes.0.attn.in_proj_weight');
  if (width % 8) throw new Error(`${name}: width ${width} does not split into ComfyUI's 8 heads`);
  return { width, contextDim, layers, tokens, heads: 8 };
}

/** Input `hidden` [B, T, width] (CLIP vision last_hidden_state) → output `style` [B, tokens, contextDim]. */
export function buildStyleAdapter(weights: WeightProvider, cfg: StyleAdapterConfig): Graph {
  const g = new Graph('style_adapter');
  const L = new Layers(g, weights, 'style_adapter');
  const hidden = g.input('hidden', 'float32', ['B', 'T', cfg.width]);
  const batch = g.op('Shape', [hidden], { start: 0, end: 1 });
  const style = g.op('Expand', [L.param('style_embedding'), g.op('Concat', [batch, g.ints([cfg.tokens, cfg.width])], { axis: 0 })]);
  let x = L.layerNorm(g.op('Concat', [hidden, style], { axis: 1 }), 'ln_pre');
  for (let i = 0; i < cfg.layers; i++) {
    const p = `transformer_layes.${i}`;
    // torch MultiheadAttention: q;k;v packed in in_proj
    const inProj = g.weight(`${p}.attn.in_proj_weight`, [cfg.width, 3 * cfg.width], 'transpose');
    const packed = g.op('Add', [g.op('MatMul', [L.layerNorm(x, `${p}.ln_1`), inProj]), L.param(`${p}.attn.in_proj_bias`)]);
    const [q, k, v] = g.opN('Split', [packed], { axis: -1 }, 3);
    x = g.op('Add', [x, L.linear(L.attention(q, k, v, cfg.heads, cfg.width), `${p}.attn.out_proj`)]);
    x = g.op('Add', [x, L.linear(L.quickGelu(L.linear(L.layerNorm(x, `${p}.ln_2`), `${p}.mlp.c_fc`)), `${p}.mlp.c_proj`)]);
  }
  const last = g.op('Slice', [x, g.ints([-cfg.tokens]), g.ints([2 ** 31 - 1]), g.ints([1])]);
  const out = g.op('MatMul', [L.layerNorm(last, 'ln_post'), L.param('proj')]);
  g.output(out, 'style', 'float32', ['B', cfg.tokens, cfg.contextDim]);
  assertAllWeightsUsed(g, weights, 'style_adapter');
  return g;
}
