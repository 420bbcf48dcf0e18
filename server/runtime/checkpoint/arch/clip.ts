import { countIndexed, fail, shapeOf, type ShapeSource } from './shapes';

/** Key layout of a text tower: HF CLIPTextModel (SD1, SDXL clip_l) or open_clip (SD2, SDXL clip_g). */
export type ClipLayout = 'hf' | 'openclip';

export interface ClipConfig {
  layout: ClipLayout;
  vocab: number;
  positions: number;
  width: number;
  layers: number;
  heads: number;
  intermediate: number;
  activation: 'quick_gelu' | 'gelu';
  /** width of the pooled projection when the tower carries text_projection */
  projectionDim?: number;
}

const C = 'clip';

/** Derives the text-encoder config from tensor shapes, names relative to the tower root. */
export function deriveClipConfig(src: ShapeSource): ClipConfig {
  if (src.has('embeddings.token_embedding.weight')) {
    const [vocab, width] = shapeOf(src, C, 'embeddings.token_embedding.weight', 2);
    const pos = shapeOf(src, C, 'embeddings.position_embedding.weight', 2);
    if (pos[1] !== width) fail(C, 'embeddings.position_embedding.weight', pos, `is not ${width} wide`);
    const layers = countIndexed(src, 'encoder.layers.');
    if (!layers) throw new Error(`${C}: no encoder.layers.* tensors`);
    const fc1 = shapeOf(src, C, 'encoder.layers.0.mlp.fc1.weight', 2);
    if (fc1[1] !== width) fail(C, 'encoder.layers.0.mlp.fc1.weight', fc1, `does not take ${width} inputs`);
    const proj = src.has('text_projection.weight') ? shapeOf(src, C, 'text_projection.weight', 2)[0] : undefined;
    return {
      layout: 'hf',
      vocab,
      positions: pos[0],
      width,
      layers,
      heads: headsOf(width, 'embeddings.token_embedding.weight'),
      intermediate: fc1[0],
      // HF-format towers in SD checkpoints are OpenAI CLIP ViT-L, trained with quick_gelu
      activation: 'quick_gelu',
      ...(proj !== undefined ? { projectionDim: proj } : {}),
    };
  }
  if (src.has('token_embedding.weight')) {
    const [vocab, width] = shapeOf(src, C, 'token_embedding.weight', 2);
    const pos = shapeOf(src, C, 'positional_embedding', 2);
    if (pos[1] !== width) fail(C, 'positional_embedding', pos, `is not ${width} wide`);
    const layers = countIndexed(src, 'transformer.resblocks.');
    if (!layers) throw new Error(`${C}: no transformer.resblocks.* tensors`);
    const inProj = shapeOf(src, C, 'transformer.resblocks.0.attn.in_proj_weight', 2);
    if (inProj[0] !== 3 * width || inProj[1] !== width)
      fail(C, 'transformer.resblocks.0.attn.in_proj_weight', inProj, `is not [${3 * width},${width}]`);
    const fc = shapeOf(src, C, 'transformer.resblocks.0.mlp.c_fc.weight', 2);
    const proj = src.has('text_projection') ? shapeOf(src, C, 'text_projection', 2)[1] : undefined;
    return {
      layout: 'openclip',
      vocab,
      positions: pos[0],
      width,
      layers,
      heads: headsOf(width, 'token_embedding.weight'),
      intermediate: fc[0],
      // open_clip towers used by SD2 / SDXL (ViT-H, ViT-bigG) use exact GELU
      activation: 'gelu',
      ...(proj !== undefined ? { projectionDim: proj } : {}),
    };
  }
  throw new Error(`${C}: neither embeddings.token_embedding.weight (HF CLIPTextModel) nor token_embedding.weight (open_clip) present`);
}

function headsOf(width: number, name: string): number {
  if (width % 64) throw new Error(`${C}: width ${width} (from ${name}) is not a multiple of the 64-wide heads`);
  return width / 64;
}
