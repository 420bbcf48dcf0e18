/**
 * CLIP image encoders (HF CLIPVisionModelWithProjection names: ViT-L/H/bigG as clip_vision files ship): patch
 * embedding, class token, pre-LayerNorm, the transformer, and three outputs as ComfyUI's CLIPVisionEncode gives them.
 */
import { Graph, type Value } from '../onnx/builder';
import { Layers, assertAllWeightsUsed } from '../onnx/nn';
import type { WeightProvider } from '../checkpoint/weights';

export interface ClipVisionConfig {
  width: number;
  layers: number;
  heads: number;
  patch: number;
  imageSize: number;
  projection: number;
  activation: 'quick_gelu' | 'gelu';
}

const P = 'vision_model.';

/** From the shapes: ComfyUI's configs give ViT-L quick_gelu and ViT-H/bigG GELU, 16 heads each; smaller (test) encoders 32-wide heads. */
export function deriveClipVisionConfig(w: WeightProvider): ClipVisionConfig {
  const need = (k: string) => {
    if (!w.has(k)) throw new Error(`clip vision: missing ${k} (not an HF CLIPVisionModel file?)`);
    return w.info(k).shape;
  };
  const [width, , patch] = need(`${P}embeddings.patch_embedding.weight`);
  const [positions] = need(`${P}embeddings.position_embedding.weight`);
  const grid = Math.round(Math.sqrt(positions - 1));
  if (grid * grid !== positions - 1) throw new Error(`clip vision: ${positions} positions is not a square grid plus the class token`);
  let layers = 0;
  while (w.has(`${P}encoder.layers.${layers}.layer_norm1.weight`)) layers++;
  if (layers < 2) throw new Error('clip vision: fewer than 2 encoder layers');
  const [projection] = need('visual_projection.weight');
  return {
    width,
    layers,
    patch,
    imageSize: grid * patch,
    projection,
    heads: width >= 1024 ? 16 : Math.max(1, width / 32),
    activation: width > 1024 ? 'gelu' : 'quick_gelu',
  };
}

/** pixels [B, 3, S, S] (normalised) → last_hidden_state, penultimate_hidden_states, image_embeds. */
export function buildClipVision(weights: WeightProvider, cfg: ClipVisionConfig): Graph {
  const g = new Graph('clip_vision', 'float32');
  const L = new Layers(g, weights, 'clip_vision');
  const pixels = g.input('pixels', 'float32', ['B', 3, cfg.imageSize, cfg.imageSize]);
  const patches = g.op('Conv', [pixels, L.param(`${P}embeddings.patch_embedding.weight`)], {
    kernel_shape: [cfg.patch, cfg.patch],
    strides: [cfg.patch, cfg.patch],
    pads: [0, 0, 0, 0],
  });
  const tokens = g.op('Transpose', [g.op('Reshape', [patches, g.ints([0, 0, -1])])], { perm: [0, 2, 1] });
  const batch = g.op('Slice', [g.op('Shape', [pixels]), g.ints([0]), g.ints([1])]);
  const cls = g.op('Expand', [
    g.op('Reshape', [L.param(`${P}embeddings.class_embedding`), g.ints([1, 1, cfg.width])]),
    g.op('Concat', [batch, g.ints([1, cfg.width])], { axis: 0 }),
  ]);
  let x: Value = g.op('Add', [g.op('Concat', [cls, tokens], { axis: 1 }), L.param(`${P}embeddings.position_embedding.weight`)]);
  x = L.layerNorm(x, `${P}pre_layrnorm`);
  const act = (t: Value) => (cfg.activation === 'gelu' ? L.gelu(t) : L.quickGelu(t));
  for (let i = 0; i < cfg.layers; i++) {
    const p = `${P}encoder.layers.${i}`;
    const h = L.layerNorm(x, `${p}.layer_norm1`);
    const a = L.attention(
      L.linear(h, `${p}.self_attn.q_proj`),
      L.linear(h, `${p}.self_attn.k_proj`),
      L.linear(h, `${p}.self_attn.v_proj`),
      cfg.heads,
      cfg.width,
    );
    x = g.op('Add', [x, L.linear(a, `${p}.self_attn.out_proj`)]);
    x = g.op('Add', [x, L.linear(act(L.linear(L.layerNorm(x, `${p}.layer_norm2`), `${p}.mlp.fc1`)), `${p}.mlp.fc2`)]);
    // ComfyUI's intermediate_output −2: the output of the layer before the last
    if (i === cfg.layers - 2) g.output(x, 'penultimate_hidden_states', 'float32', ['B', 'T', cfg.width]);
  }
  g.output(x, 'last_hidden_state', 'float32', ['B', 'T', cfg.width]);
  const first = g.op('Squeeze', [g.op('Slice', [x, g.ints([0]), g.ints([1]), g.ints([1])]), g.ints([1])]);
  const pooled = L.layerNorm(first, `${P}post_layernorm`);
  g.output(L.linear(pooled, 'visual_projection', false), 'image_embeds', 'float32', ['B', cfg.projection]);
  assertAllWeightsUsed(g, weights, 'clip vision', [/position_ids$/, /^text_model\./, /^text_projection\./, /^logit_scale$/]);
  return g;
}
