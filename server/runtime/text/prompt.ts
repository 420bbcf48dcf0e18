/**
 * Prompt weighting and chunking with ComfyUI semantics (comfy/sd1_clip.py: escape_important,
 * parse_parentheses, token_weights, SDTokenizer.tokenize_with_weights).
 *
 * Syntax (ComfyUI):
 *  - `(text)` multiplies the weight of `text` by 1.1; nesting multiplies: `((text))` = 1.1² = 1.21.
 *  - `(text:1.3)` SETS the weight to 1.3 (it replaces the enclosing weight, it does not multiply it:
 *    `((a:1.5))` gives `a` 1.5; `((a):1.5)` gives 1.5·1.1 = 1.65). The number after the LAST ':' is
 *    read with Python's float() (so " 1.5 ", "1e-1", "1_0", "inf", "nan" are numbers); when it is not a
 *    number, or the ':' is the first character, the group is a plain `(…)` (×1.1) and keeps the text.
 *  - `\(` and `\)` are literal parentheses (the backslash is removed).
 *  - Square brackets `[text]` and braces are NOT weighting syntax in ComfyUI: they stay in the text and
 *    are tokenized (A1111's `[text]` = ÷1.1 does not exist there). Latent Loom follows ComfyUI;
 *    `parseA1111Attention` (prompt-a1111.ts) reads A1111's syntax for import/display only.
 *  - Unbalanced parentheses follow ComfyUI's parser exactly: an unclosed `(` makes the rest of the
 *    prompt a literal segment at the outer weight (parentheses included); a stray `)` drives the
 *    nesting negative, so the following text (parentheses included) stays literal until it balances.
 *  - `embedding:name` (at the start of a weighted segment or after a space/newline) names a textual
 *    inversion embedding: `resolveEmbedding` supplies its vectors, which become tokens of the segment's
 *    weight (ids −1−k for row k of `extras`). A missing one is dropped as ComfyUI drops it (text after it in
 *    the same segment is kept) and reported with status 'missing'; `onEmbedding: 'error'` throws instead.
 *
 * Text clean-up: ComfyUI runs transformers' CLIPTokenizer on each segment. That tokenizer does not
 * html-unescape, and without the optional ftfy package (not in ComfyUI's requirements) it uses BERT's
 * BasicTokenizer instead (CJK ideographs split apart, format characters such as U+200D dropped, no
 * full-width/mojibake fixes). The default here is openai's SimpleTokenizer clean-up (the reference
 * goldens); `clean: 'hf-basic'` reproduces a stock ComfyUI install and `clean: 'hf-ftfy'` one with ftfy.
 * For ASCII prompts without HTML entities all three give identical ids.
 */
import { type ClipTokenizer, CLIP_BOS, CLIP_EOS, loadClipTokenizer, type CleanMode } from './tokenizer';

export interface WeightedSegment {
  text: string;
  weight: number;
}

/** ComfyUI escape_important: `\)` → "\0\1", `\(` → "\0\2" so the parser does not see them. */
export function escapeImportant(text: string): string {
  return text.split('\\)').join('\0\u0001').split('\\(').join('\0\u0002');
}

/** ComfyUI unescape_important. */
export function unescapeImportant(text: string): string {
  return text.split('\0\u0001').join(')').split('\0\u0002').join('(');
}

/** ComfyUI parse_parentheses: top-level split into literal runs and balanced `(...)` groups. */
export function parseParentheses(s: string): string[] {
  const result: string[] = [];
  let current = '';
  let nesting = 0;
  for (const ch of s) {
    if (ch === '(') {
      if (nesting === 0) {
        if (current) result.push(current);
        current = '(';
      } else {
        current += ch;
      }
      nesting += 1;
    } else if (ch === ')') {
      nesting -= 1;
      if (nesting === 0) {
        result.push(`${current})`);
        current = '';
      } else {
        current += ch;
      }
    } else {
      current += ch;
    }
  }
  if (current) result.push(current);
  return result;
}

// Python float(): whitespace-stripped, optional sign, digits with single '_' between digits,
// optional fraction/exponent, or inf/infinity/nan; any Unicode decimal digit counts as a digit.
const PY_FLOAT_RE = /^[+-]?(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const PY_SPECIAL_RE = /^([+-]?)(inf|infinity|nan)$/i;
const PY_STRIP_RE =
  /^[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
const ND_RE = /\p{Nd}/u;

function asciiDigits(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch >= '0' && ch <= '9') out += ch;
    else if (ND_RE.test(ch)) {
      // decimal digits come in runs of ten starting at zero: value = distance from the run start mod 10
      let cp = ch.codePointAt(0)!;
      let k = 0;
      while (ND_RE.test(String.fromCodePoint(cp - 1))) {
        cp--;
        k++;
      }
      out += String(k % 10);
    } else out += ch;
  }
  return out;
}

/** Python `float(s)` for a str, or null where Python raises ValueError. */
export function parsePythonFloat(s: string): number | null {
  const t = asciiDigits(s.replace(PY_STRIP_RE, ''));
  const sp = PY_SPECIAL_RE.exec(t);
  if (sp) return sp[2].toLowerCase() === 'nan' ? Number.NaN : sp[1] === '-' ? -Infinity : Infinity;
  if (!PY_FLOAT_RE.test(t)) return null;
  return Number(t.replace(/_/g, ''));
}

/** ComfyUI token_weights: (segment, weight) pairs in prompt order. */
export function tokenWeights(s: string, currentWeight: number): WeightedSegment[] {
  const out: WeightedSegment[] = [];
  for (let x of parseParentheses(s)) {
    let weight = currentWeight;
    if (x.length >= 2 && x[x.length - 1] === ')' && x[0] === '(') {
      x = x.slice(1, -1);
      const xx = x.lastIndexOf(':');
      weight *= 1.1;
      if (xx > 0) {
        const f = parsePythonFloat(x.slice(xx + 1));
        if (f !== null) {
          weight = f;
          x = x.slice(0, xx);
        }
      }
      out.push(...tokenWeights(x, weight));
    } else {
      out.push({ text: x, weight: currentWeight });
    }
  }
  return out;
}

/** The weighted segments of a prompt, escapes resolved (what ComfyUI tokenizes, segment by segment). */
export function parsePromptWeights(text: string, opts: { disableWeights?: boolean } = {}): WeightedSegment[] {
  const escaped = escapeImportant(text);
  const parsed = opts.disableWeights ? [{ text: escaped, weight: 1.0 }] : tokenWeights(escaped, 1.0);
  return parsed.map((p) => ({ text: unescapeImportant(p.text), weight: p.weight }));
}

export const EMBEDDING_IDENTIFIER = 'embedding:';

export interface EmbeddingRef {
  /** the embedding name as looked up (trailing commas removed when only the stripped name exists, as ComfyUI) */
  name: string;
  weight: number;
  /** 'found': its vectors are in the chunks (ids −1−k for row k of `extras`); 'missing': skipped, as ComfyUI */
  status: 'found' | 'missing';
}

export class EmbeddingUnsupportedError extends Error {
  constructor(readonly embeddings: EmbeddingRef[]) {
    super(`embeddings are not available here: ${embeddings.map((e) => `embedding:${e.name}`).join(', ')}`);
    this.name = 'EmbeddingUnsupportedError';
  }
}

export interface WeightedChunk {
  /** BOS, tokens, EOS, padding: exactly maxLength ids */
  ids: Int32Array;
  /** per-token weight (1 for BOS/EOS/padding) */
  weights: Float32Array;
  /** ComfyUI word ids: 0 for BOS/EOS/padding, else 1 + index of the token group (segment) */
  wordIds: Int32Array;
}

export interface TokenizeWeightedOptions {
  /** padding id: EOS 49407 for SD1 / clip_l (default), 0 for OpenCLIP (SD2, SDXL clip_g) */
  padToken?: number;
  /** chunk length including BOS/EOS (default 77) */
  maxLength?: number;
  /** tokenizer to use; default `loadClipTokenizer()` (LOOM_CLIP_VOCAB, models/clip) */
  tokenizer?: ClipTokenizer;
  /** token groups at least this long may be split across chunks; shorter ones move whole (ComfyUI: 8) */
  maxWordLength?: number;
  /** treat the whole prompt as one weight-1 segment (ComfyUI disable_weights) */
  disableWeights?: boolean;
  /** what to do with `embedding:name` no resolver finds: 'ignore' (default, ComfyUI's behaviour) or 'error' */
  onEmbedding?: 'ignore' | 'error';
  /** an embedding's vectors (rows of the tower's width) by name, or null when there is none by that name */
  resolveEmbedding?: (name: string) => Float32Array[] | null;
  /**
   * text clean-up before BPE (see CleanMode): 'openai' (default, the reference goldens),
   * 'hf-basic' = a stock ComfyUI install (transformers CLIPTokenizer without ftfy), 'hf-ftfy' = ComfyUI with ftfy.
   */
  clean?: CleanMode;
}

export interface TokenizeWeightedResult {
  chunks: WeightedChunk[];
  /** embedding references, found or skipped */
  embeddings: EmbeddingRef[];
  /** vectors of the found embeddings: id −1−k in the chunks is row k */
  extras: Float32Array[];
}

/**
 * The names tokenizeWeighted will ask `resolveEmbedding` for (each `embedding:` word and its comma-stripped form),
 * so they can be loaded before tokenizing.
 */
export function embeddingNames(text: string, opts: { disableWeights?: boolean } = {}): string[] {
  const names = new Set<string>();
  for (const seg of parsePromptWeights(text, { disableWeights: opts.disableWeights })) {
    for (const word of seg.text.split(/ embedding:|\nembedding:/).map((w, i) => (i === 0 ? w : EMBEDDING_IDENTIFIER + w))) {
      if (!word.startsWith(EMBEDDING_IDENTIFIER)) continue;
      const first =
        word
          .slice(EMBEDDING_IDENTIFIER.length)
          .replace(/^\n+|\n+$/g, '')
          .split(PY_SPLIT_WS)
          .filter((p) => p !== '')[0] ?? '';
      names.add(first);
      names.add(first.replace(/^,+|,+$/g, ''));
    }
  }
  names.delete('');
  return [...names];
}

const PY_SPLIT_WS = /[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/**
 * ComfyUI SDTokenizer.tokenize_with_weights: weighted segments → token groups → chunks of maxLength
 * (BOS + up to maxLength-2 tokens + EOS + padding). A token group is a whole weighted segment (split
 * further only at `embedding:` references), NOT a space-separated word: current ComfyUI tokenizes each
 * segment in one call (older versions split on spaces). A group that does not fit in the current chunk
 * starts a new chunk (the current one gets EOS + padding) when shorter than maxWordLength (8) tokens;
 * a longer group fills the chunk up to EOS and continues in the next one.
 * An empty prompt gives one chunk [BOS, EOS, pad…].
 */
export function tokenizeWeighted(text: string, opts: TokenizeWeightedOptions = {}): TokenizeWeightedResult {
  const tokenizer = opts.tokenizer ?? loadClipTokenizer();
  const maxLength = opts.maxLength ?? 77;
  const padToken = opts.padToken ?? CLIP_EOS;
  const maxWordLength = opts.maxWordLength ?? 8;
  const start = CLIP_BOS;
  const end = CLIP_EOS;
  if (maxLength < 3) throw new Error(`maxLength must be at least 3, got ${maxLength}`);

  const embeddings: EmbeddingRef[] = [];
  const extras: Float32Array[] = [];
  const groups: Array<Array<[number, number]>> = [];
  const resolve = opts.resolveEmbedding ?? (() => null);
  for (const seg of parsePromptWeights(text, { disableWeights: opts.disableWeights })) {
    const split = seg.text.split(/ embedding:|\nembedding:/);
    const words = [split[0], ...split.slice(1).map((s) => EMBEDDING_IDENTIFIER + s)].filter((w) => w !== '');
    for (let word of words) {
      if (word.startsWith(EMBEDDING_IDENTIFIER)) {
        const embeddingName = word.slice(EMBEDDING_IDENTIFIER.length).replace(/^\n+|\n+$/g, '');
        // ComfyUI _try_get_embedding: the first word is the name; with trailing commas and no such file, the
        // stripped name is tried and the commas go back into the text
        const parts = embeddingName.split(PY_SPLIT_WS).filter((p) => p !== '');
        let name = parts[0] ?? '';
        let leftover = parts.slice(1).join(' ');
        let vectors = resolve(name);
        if (!vectors) {
          const stripped = name.replace(/^,+|,+$/g, '');
          if (stripped.length < name.length) {
            vectors = resolve(stripped);
            leftover = `${name.slice(stripped.length)} ${leftover}`;
            name = stripped;
          }
        }
        embeddings.push({ name, weight: seg.weight, status: vectors ? 'found' : 'missing' });
        if (vectors) {
          groups.push(
            vectors.map((v) => {
              const k = extras.push(v) - 1;
              return [-1 - k, seg.weight] as [number, number];
            }),
          );
        }
        if (leftover === '') continue;
        word = leftover;
      }
      groups.push(tokenizer.encode(word, opts.clean).map((t) => [t, seg.weight] as [number, number]));
    }
  }
  const missing = embeddings.filter((e) => e.status === 'missing');
  if (missing.length > 0 && opts.onEmbedding === 'error') throw new EmbeddingUnsupportedError(missing);

  type Tok = [number, number, number]; // id, weight, word id
  const batches: Tok[][] = [];
  let batch: Tok[] = [[start, 1.0, 0]];
  batches.push(batch);
  const hasEnd = 1;
  groups.forEach((g, i) => {
    let group = g;
    const isLarge = group.length >= maxWordLength;
    while (group.length > 0) {
      if (group.length + batch.length > maxLength - hasEnd) {
        const remaining = maxLength - batch.length - hasEnd;
        if (isLarge) {
          for (const [t, w] of group.slice(0, remaining)) batch.push([t, w, i + 1]);
          batch.push([end, 1.0, 0]);
          group = group.slice(remaining);
        } else {
          batch.push([end, 1.0, 0]);
          for (let k = 0; k < remaining; k++) batch.push([padToken, 1.0, 0]);
        }
        batch = [[start, 1.0, 0]];
        batches.push(batch);
      } else {
        for (const [t, w] of group) batch.push([t, w, i + 1]);
        group = [];
      }
    }
  });
  batch.push([end, 1.0, 0]);
  while (batch.length < maxLength) batch.push([padToken, 1.0, 0]);

  const chunks = batches.map((b) => {
    const ids = new Int32Array(b.length);
    const weights = new Float32Array(b.length);
    const wordIds = new Int32Array(b.length);
    b.forEach(([t, w, id], k) => {
      ids[k] = t;
      weights[k] = w;
      wordIds[k] = id;
    });
    return { ids, weights, wordIds };
  });
  return { chunks, embeddings, extras };
}
