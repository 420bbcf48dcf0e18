/**
 * What ComfyUI does with token weights after the text encoder
 * (comfy/sd1_clip.py ClipTokenWeightEncoder.encode_token_weights), as a pure function:
 *
 *  1. encode every chunk in one batch; when any weight ≠ 1 (or there is no chunk) an extra
 *     "empty prompt" row [BOS, EOS, pad…] of the same length is appended to the batch;
 *  2. for each chunk k and position j with weight w ≠ 1:  z[k][j] = (z[k][j] − z_empty[j])·w + z_empty[j]
 *     (float32 arithmetic, as torch does it);
 *  3. the chunks are concatenated along the sequence axis → [1, chunks·seq, dim];
 *  4. the pooled output is the first chunk's (row 0), never the empty row's.
 *
 * The encoder is a callback, so this runs without a model (see tests/runtime/text/encode-weights.test.ts).
 */

/** Output of a text encoder for a batch of n id rows. */
export interface EncodedBatch {
  /** hidden states, row-major [n, seqLen, dim] */
  hidden: Float32Array;
  seqLen: number;
  dim: number;
  /** pooled output, row-major [n, pooledDim]; null when the encoder has none */
  pooled?: Float32Array | null;
  pooledDim?: number;
}

export type EncodeChunks = (ids: Int32Array[]) => EncodedBatch | Promise<EncodedBatch>;

export interface TokenWeightChunk {
  ids: ArrayLike<number>;
  weights: ArrayLike<number>;
}

export interface SpecialTokens {
  start?: number | null;
  end?: number | null;
  pad: number;
}

/** ComfyUI SDClipModel special tokens for SD1 / SDXL clip_l (pad with EOS). */
export const SD1_SPECIAL_TOKENS: Readonly<SpecialTokens> = { start: 49406, end: 49407, pad: 49407 };
/** OpenCLIP text towers: SD2 clip_h, SDXL clip_g (pad with 0). */
export const OPENCLIP_SPECIAL_TOKENS: Readonly<SpecialTokens> = { start: 49406, end: 49407, pad: 0 };

export interface EncodedConditioning {
  /** [1, tokens, dim] row-major, tokens = chunks·seqLen */
  cond: Float32Array;
  tokens: number;
  dim: number;
  /** [1, pooledDim] from the first chunk, or null */
  pooled: Float32Array | null;
  /** whether the empty-prompt row was encoded and the weights applied */
  weighted: boolean;
}

/** ComfyUI gen_empty_tokens: [start, end, pad…] of `length` ids (never shorter than the specials). */
export function genEmptyTokens(special: SpecialTokens, length: number): Int32Array {
  const out: number[] = [];
  if (special.start != null) out.push(special.start);
  if (special.end != null) out.push(special.end);
  while (out.length < length) out.push(special.pad);
  return Int32Array.from(out);
}

/** The batch ComfyUI sends to the encoder for these chunks, and whether the last row is the empty prompt. */
export function tokenWeightBatch(chunks: TokenWeightChunk[], special: SpecialTokens): { batch: Int32Array[]; hasWeights: boolean } {
  let maxLen = 0;
  let hasWeights = false;
  const batch: Int32Array[] = [];
  for (const c of chunks) {
    maxLen = Math.max(maxLen, c.ids.length);
    for (let j = 0; j < c.weights.length; j++) if (c.weights[j] !== 1.0) hasWeights = true;
    batch.push(Int32Array.from(c.ids as ArrayLike<number>));
  }
  if (hasWeights || chunks.length === 0) batch.push(genEmptyTokens(special, maxLen));
  return { batch, hasWeights };
}

/** Step 2–4 on an already encoded batch (rows as returned for `tokenWeightBatch(...).batch`). */
export function applyTokenWeights(chunks: TokenWeightChunk[], encoded: EncodedBatch, hasWeights: boolean): EncodedConditioning {
  const { hidden, seqLen, dim } = encoded;
  const rowSize = seqLen * dim;
  const rows = hidden.length / rowSize;
  const expectRows = chunks.length + (hasWeights || chunks.length === 0 ? 1 : 0);
  if (!Number.isInteger(rows) || rows !== expectRows) {
    throw new Error(`encoder returned ${hidden.length} values; expected ${expectRows} rows of ${seqLen}x${dim}`);
  }
  let pooled: Float32Array | null = null;
  if (encoded.pooled) {
    const pd = encoded.pooledDim ?? encoded.pooled.length / rows;
    pooled = encoded.pooled.slice(0, pd);
  }
  if (chunks.length === 0) {
    return { cond: hidden.slice((rows - 1) * rowSize), tokens: seqLen, dim, pooled, weighted: false };
  }
  const cond = new Float32Array(chunks.length * rowSize);
  const emptyOff = (rows - 1) * rowSize;
  const f = Math.fround;
  for (let k = 0; k < chunks.length; k++) {
    const off = k * rowSize;
    cond.set(hidden.subarray(off, off + rowSize), off);
    if (!hasWeights) continue;
    const w = chunks[k].weights;
    for (let j = 0; j < seqLen; j++) {
      const wj = w[j];
      if (wj === 1.0 || wj === undefined) continue;
      const w32 = f(wj);
      const zo = off + j * dim;
      const eo = emptyOff + j * dim;
      for (let d = 0; d < dim; d++) {
        const e = hidden[eo + d];
        cond[zo + d] = f(f(f(hidden[zo + d] - e) * w32) + e);
      }
    }
  }
  return { cond, tokens: chunks.length * seqLen, dim, pooled, weighted: hasWeights };
}

/** ComfyUI encode_token_weights with the text encoder given as a callback. */
export async function encodeTokenWeights(
  chunks: TokenWeightChunk[],
  encodeChunks: EncodeChunks,
  special: SpecialTokens,
): Promise<EncodedConditioning> {
  const { batch, hasWeights } = tokenWeightBatch(chunks, special);
  const encoded = await encodeChunks(batch);
  return applyTokenWeights(chunks, encoded, hasWeights);
}

/** Synchronous variant for synchronous encoders. */
export function encodeTokenWeightsSync(
  chunks: TokenWeightChunk[],
  encodeChunks: (ids: Int32Array[]) => EncodedBatch,
  special: SpecialTokens,
): EncodedConditioning {
  const { batch, hasWeights } = tokenWeightBatch(chunks, special);
  return applyTokenWeights(chunks, encodeChunks(batch), hasWeights);
}
