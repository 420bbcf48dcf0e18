/**
 * ComfyUI CLIPTextEncode: weighted tokenization, chunks of 77, encode_token_weights, per-family
 * layer choice (sd1_clip.py / sdxl_clip.py / sd2_clip.py), SDXL clip_l ‖ clip_g concat with clip_g's pooled.
 */
import fs from 'node:fs';
import path from 'node:path';
import { safeJoin } from '../../config/paths';
import type { ModelCache } from '../model-cache';
import type { WeightProvider } from '../checkpoint/weights';
import type { F32Tensor } from '../models';
import {
  encodeTokenWeights, loadClipTokenizer, OPENCLIP_SPECIAL_TOKENS, SD1_SPECIAL_TOKENS, tokenizeWeighted,
  type EmbeddingRef, type EncodedConditioning, type SpecialTokens,
} from '.';
import type { ClipHandle, Conditioning, TowerName } from '../handles';
import { textEncoderFor } from '../models/cached';

interface TowerSpec {
  tower: TowerName;
  special: SpecialTokens;
  /** ComfyUI's default layer_idx (-1 = "last") */
  layer: number;
  /** layer_norm_hidden_state */
  finalNorm: boolean;
  pooled: boolean;
}

const SPECS: Readonly<Record<string, readonly TowerSpec[]>> = {
  sd1: [{ tower: 'clip', special: SD1_SPECIAL_TOKENS, layer: -1, finalNorm: true, pooled: false }],
  sd2: [{ tower: 'clip', special: OPENCLIP_SPECIAL_TOKENS, layer: -2, finalNorm: true, pooled: false }],
  sdxl: [
    { tower: 'clip_l', special: SD1_SPECIAL_TOKENS, layer: -2, finalNorm: false, pooled: false },
    { tower: 'clip_g', special: OPENCLIP_SPECIAL_TOKENS, layer: -2, finalNorm: false, pooled: true },
  ],
};

const EMBEDDING_EXTENSIONS = ['', '.safetensors', '.pt', '.bin'];

/**
 * ComfyUI skips a missing `embedding:name` with a warning; one that exists would change its result, and
 * textual-inversion loading is not implemented, so that case is an error rather than a silent difference.
 */
function checkEmbeddings(refs: readonly EmbeddingRef[], modelsDir: string, warn: (message: string) => void): void {
  for (const ref of refs) {
    const dir = path.join(modelsDir, 'embeddings');
    const found = EMBEDDING_EXTENSIONS.map((x) => safeJoin(dir, ref.name + x)).find((f): f is string => f !== null && fs.existsSync(f) && fs.statSync(f).isFile());
    if (found) throw new Error(`embedding:${ref.name} (${found}) is present, but textual-inversion embeddings are not supported yet`);
    warn(`embedding:${ref.name} not found in ${dir}; ignored (as ComfyUI does)`);
  }
}

async function encodeTower(models: ModelCache, clip: ClipHandle, spec: TowerSpec, text: string, warn: ((message: string) => void) | undefined): Promise<EncodedConditioning> {
  const weights: WeightProvider | undefined = clip.towers[spec.tower];
  if (!weights) throw new Error(`the ${clip.family} text encoder has no ${spec.tower} tower`);
  const enc = await textEncoderFor(models, weights, `${clip.key}/${spec.tower}`);
  const tokenizer = loadClipTokenizer(clip.vocab);
  const { chunks, embeddings } = tokenizeWeighted(text, { tokenizer, padToken: spec.special.pad, maxLength: enc.config.positions });
  // every tower sees the same prompt: report embeddings once
  if (warn) checkEmbeddings(embeddings, clip.vocab.modelsDir, warn);
  let layer = clip.layer ?? spec.layer;
  let finalNorm = spec.finalNorm;
  // ComfyUI clip_layer: beyond the tower's depth means "last" (the final-LN output)
  if (-layer > enc.config.layers) {
    layer = -1;
    finalNorm = true;
  }
  return encodeTokenWeights(chunks, async (rows) => {
    const seqLen = enc.config.positions;
    const ids = new Int32Array(rows.length * seqLen);
    rows.forEach((r, i) => {
      if (r.length !== seqLen) throw new Error(`token row of ${r.length} ids, the ${spec.tower} tower takes ${seqLen}`);
      ids.set(r, i * seqLen);
    });
    const out = await enc.encode(ids, { layer, finalNorm });
    return {
      hidden: out.hidden.data, seqLen, dim: out.hidden.shape[2],
      pooled: spec.pooled ? out.pooled?.data ?? null : null, pooledDim: out.pooled?.shape[1],
    };
  }, spec.special);
}

/** `warn` receives what the user should see (a missing embedding); by default the server log. */
export async function encodeText(models: ModelCache, clip: ClipHandle, text: string, warn: (message: string) => void = (m) => console.warn(`TextEncode: ${m}`)): Promise<Conditioning> {
  const specs = SPECS[clip.family];
  if (!specs) throw new Error(`text encoding for ${clip.family} checkpoints is not supported yet`);
  const parts = await Promise.all(specs.map((s, i) => encodeTower(models, clip, s, text, i === 0 ? warn : undefined)));
  const tokens = parts[0].tokens;
  if (parts.some((p) => p.tokens !== tokens)) throw new Error(`text towers disagree on the token count (${parts.map((p) => p.tokens).join(' vs ')})`);
  const dim = parts.reduce((a, p) => a + p.dim, 0);
  const data = new Float32Array(tokens * dim);
  let off = 0;
  for (const p of parts) {
    for (let t = 0; t < tokens; t++) data.set(p.cond.subarray(t * p.dim, (t + 1) * p.dim), t * dim + off);
    off += p.dim;
  }
  const pooledPart = parts.find((p, i) => specs[i].pooled);
  let pooled: F32Tensor | undefined;
  if (pooledPart) {
    if (!pooledPart.pooled) throw new Error('the clip_g tower has no text_projection, so there is no pooled output for SDXL');
    pooled = { data: pooledPart.pooled, shape: [1, pooledPart.pooled.length] };
  }
  return { kind: 'conditioning', family: clip.family, context: { data, shape: [1, tokens, dim] }, ...(pooled ? { pooled } : {}) };
}

