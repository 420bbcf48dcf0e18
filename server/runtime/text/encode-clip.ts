/**
 * ComfyUI CLIPTextEncode: weighted tokenization, chunks of 77, encode_token_weights, per-family
 * layer choice (sd1_clip.py / sdxl_clip.py / sd2_clip.py), SDXL clip_l ‖ clip_g concat with clip_g's pooled.
 */
import type { ModelCache } from '../model-cache';
import type { WeightProvider } from '../checkpoint/weights';
import type { F32Tensor } from '../models';
import { embeddingFolders, EmbeddingError, loadEmbedding, type Embedding } from './embeddings';
import { embeddingNames } from './prompt';
import {
  encodeTokenWeights,
  loadClipTokenizer,
  OPENCLIP_SPECIAL_TOKENS,
  SD1_SPECIAL_TOKENS,
  tokenizeWeighted,
  type EncodedConditioning,
  type SpecialTokens,
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
  /** the tower's pooled_output: text_projection's (SDXL clip_g), the unprojected EOS token's (SD1), or none */
  pooled: 'projected' | 'eos' | 'none';
}

const SPECS: Readonly<Record<string, readonly TowerSpec[]>> = {
  sd1: [{ tower: 'clip', special: SD1_SPECIAL_TOKENS, layer: -1, finalNorm: true, pooled: 'eos' }],
  sd2: [{ tower: 'clip', special: OPENCLIP_SPECIAL_TOKENS, layer: -2, finalNorm: true, pooled: 'none' }],
  sdxl: [
    { tower: 'clip_l', special: SD1_SPECIAL_TOKENS, layer: -2, finalNorm: false, pooled: 'none' },
    { tower: 'clip_g', special: OPENCLIP_SPECIAL_TOKENS, layer: -2, finalNorm: false, pooled: 'projected' },
  ],
  // SDXLRefinerClipModel: the base's clip_g tower alone (pad 0, penultimate, projected pooled)
  sdxl_refiner: [{ tower: 'clip_g', special: OPENCLIP_SPECIAL_TOKENS, layer: -2, finalNorm: false, pooled: 'projected' }],
};

/** ComfyUI's embedding_key per tower: the key a multi-tower embedding file stores this tower's vectors under. */
const EMBEDDING_KEYS: Readonly<Record<string, Readonly<Partial<Record<TowerName, string>>>>> = {
  sd1: { clip: 'clip_l' },
  sd2: { clip: 'clip_h' },
  sdxl: { clip_l: 'clip_l', clip_g: 'clip_g' },
  sdxl_refiner: { clip_g: 'clip_g' },
};

export interface EncodeTextOptions {
  /** the embeddings folders (models/embeddings and extra_model_paths'); none: `embedding:` names are skipped */
  embeddingDirs?: readonly string[];
}

/** The vectors each `embedding:` name of `text` has for this tower (null: no such file), loaded before tokenizing. */
async function towerEmbeddings(
  text: string,
  folders: readonly string[],
  width: number,
  key: string,
): Promise<Map<string, Embedding | EmbeddingError | null>> {
  const found = new Map<string, Embedding | EmbeddingError | null>();
  for (const name of embeddingNames(text)) {
    try {
      found.set(name, await loadEmbedding(name, folders, width, key));
    } catch (e) {
      if (!(e instanceof EmbeddingError)) throw e;
      found.set(name, e);
    }
  }
  return found;
}

interface TowerResult extends EncodedConditioning {
  /** embeddings this tower could not use (another width): reported once all towers are done */
  refused: EmbeddingError[];
  missing: string[];
}

async function encodeTower(models: ModelCache, clip: ClipHandle, spec: TowerSpec, text: string, folders: readonly string[]): Promise<TowerResult> {
  const weights: WeightProvider | undefined = clip.towers[spec.tower];
  if (!weights) throw new Error(`the ${clip.family} text encoder has no ${spec.tower} tower`);
  const enc = await textEncoderFor(models, weights, `${clip.key}/${spec.tower}`, clip.activations?.[spec.tower]);
  const tokenizer = loadClipTokenizer(clip.vocab);
  const key = EMBEDDING_KEYS[clip.family]?.[spec.tower] ?? 'clip_l';
  const loaded =
    folders.length > 0 ? await towerEmbeddings(text, folders, enc.config.width, key) : new Map<string, Embedding | EmbeddingError | null>();
  const refused: EmbeddingError[] = [];
  const resolveEmbedding = (name: string): Float32Array[] | null => {
    const e = loaded.get(name);
    if (!e) return null;
    if (e instanceof EmbeddingError) {
      // ComfyUI skips a vector of the wrong width on this tower and pads instead; the tokens stay as if absent
      if (!refused.includes(e)) refused.push(e);
      return null;
    }
    return Array.from({ length: e.count }, (_, r) => e.rows.subarray(r * e.width, (r + 1) * e.width));
  };
  const { chunks, embeddings, extras } = tokenizeWeighted(text, {
    tokenizer,
    padToken: spec.special.pad,
    maxLength: enc.config.positions,
    resolveEmbedding,
  });
  const missing = embeddings.filter((e) => e.status === 'missing' && !(loaded.get(e.name) instanceof EmbeddingError)).map((e) => e.name);
  const extraRows = extras.length > 0 ? new Float32Array(extras.length * enc.config.width) : undefined;
  extras.forEach((v, k) => extraRows?.set(v, k * enc.config.width));
  let layer = clip.layer ?? spec.layer;
  let finalNorm = spec.finalNorm;
  // ComfyUI clip_layer: beyond the tower's depth means "last" (the final-LN output)
  if (-layer > enc.config.layers) {
    layer = -1;
    finalNorm = true;
  }
  const encoded = await encodeTokenWeights(
    chunks,
    async (rows) => {
      const seqLen = enc.config.positions;
      const ids = new Int32Array(rows.length * seqLen);
      rows.forEach((r, i) => {
        if (r.length !== seqLen) throw new Error(`token row of ${r.length} ids, the ${spec.tower} tower takes ${seqLen}`);
        ids.set(r, i * seqLen);
      });
      const out = await enc.encode(ids, { layer, finalNorm, eosPooled: spec.pooled === 'eos', ...(extraRows ? { extras: extraRows } : {}) });
      const pooled = spec.pooled === 'eos' ? out.eosPooled : spec.pooled === 'projected' ? out.pooled : undefined;
      return { hidden: out.hidden.data, seqLen, dim: out.hidden.shape[2], pooled: pooled?.data ?? null, pooledDim: pooled?.shape[1] };
    },
    spec.special,
  );
  return { ...encoded, refused, missing };
}

/**
 * `warn` receives what the user should see (a missing embedding, one a tower cannot use); by default the server
 * log. An embedding no tower can use (another model family's width) is an error.
 */
export async function encodeText(
  models: ModelCache,
  clip: ClipHandle,
  text: string,
  warn: (message: string) => void = (m) => console.warn(`TextEncode: ${m}`),
  opts: EncodeTextOptions = {},
): Promise<Conditioning> {
  const specs = SPECS[clip.family];
  if (!specs) throw new Error(`text encoding for ${clip.family} checkpoints is not supported yet`);
  const folders = embeddingFolders(opts.embeddingDirs ?? []);
  const parts = await Promise.all(specs.map((s) => encodeTower(models, clip, s, text, folders)));
  reportEmbeddings(parts, opts.embeddingDirs ?? [], warn);
  const tokens = parts[0].tokens;
  if (parts.some((p) => p.tokens !== tokens)) throw new Error(`text towers disagree on the token count (${parts.map((p) => p.tokens).join(' vs ')})`);
  const dim = parts.reduce((a, p) => a + p.dim, 0);
  const data = new Float32Array(tokens * dim);
  let off = 0;
  for (const p of parts) {
    for (let t = 0; t < tokens; t++) data.set(p.cond.subarray(t * p.dim, (t + 1) * p.dim), t * dim + off);
    off += p.dim;
  }
  const pooledAt = specs.findIndex((s) => s.pooled !== 'none');
  let pooled: F32Tensor | undefined;
  if (pooledAt >= 0) {
    const p = parts[pooledAt].pooled;
    if (!p) throw new Error(`the ${specs[pooledAt].tower} tower has no text_projection, so there is no pooled output for ${clip.family}`);
    pooled = { data: p, shape: [1, p.length] };
  }
  return { kind: 'conditioning', entries: [{ family: clip.family, cross: { data, shape: [1, tokens, dim] }, ...(pooled ? { pooled } : {}) }] };
}

function reportEmbeddings(parts: readonly TowerResult[], dirs: readonly string[], warn: (message: string) => void): void {
  for (const name of new Set(parts[0].missing)) {
    warn(`embedding:${name} does not exist in ${dirs.length > 0 ? dirs.join(', ') : 'any embeddings folder'}; ignored (as ComfyUI does)`);
  }
  const refused = new Map<string, EmbeddingError>();
  for (const p of parts) for (const e of p.refused) refused.set(e.embedding, e);
  for (const [name, e] of refused) {
    // refused by every tower: nothing of it would reach the prompt
    if (parts.every((p) => p.refused.some((r) => r.embedding === name))) throw e;
    warn(`${e.message}; that text encoder ignores it`);
  }
}
