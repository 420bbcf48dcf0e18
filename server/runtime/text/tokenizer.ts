/**
 * CLIP byte-level BPE tokenizer with openai/CLIP `SimpleTokenizer` semantics
 * (clip/simple_tokenizer.py): bytes_to_unicode, basic_clean + whitespace_clean + lower(),
 * the CLIP pre-tokenizer regex, BPE by merge rank with `</w>` marking the end of a word.
 *
 * The vocabulary is the user's file (never shipped in the repo): openai's
 * `bpe_simple_vocab_16e6.txt.gz`, or the Hugging Face pair `vocab.json` + `merges.txt`
 * (openai/clip-vit-large-patch14, the same 49408 tokens). See `findVocabulary`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { cleanForClip, PY_REGEX_WS, type CleanMode } from './text-clean';

export type { CleanMode } from './text-clean';

export const CLIP_BOS = 49406;
export const CLIP_EOS = 49407;
export const CLIP_VOCAB_SIZE = 49408;
export const CLIP_CONTEXT_LENGTH = 77;
/** Number of merges SimpleTokenizer keeps: lines [1, 49152-256-2+1) of the merges file. */
const N_MERGES = 49152 - 256 - 2;

/** GPT-2/CLIP `bytes_to_unicode`: byte value → printable code point, in the dictionary's insertion order. */
export function bytesToUnicode(): Array<[number, string]> {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  return bs.map((b, i) => [b, String.fromCodePoint(cs[i])]);
}

/** The exact SimpleTokenizer pattern; `\s` spelled out as Python `regex`'s Unicode White_Space. */
const PAT = new RegExp(`<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^${PY_REGEX_WS}\\p{L}\\p{N}]+`, 'giu');

const SPECIALS = ['<|startoftext|>', '<|endoftext|>'];

export interface TokenizeOptions {
  /** total length including BOS/EOS (default 77) */
  contextLength?: number;
  /** pad id: EOS 49407 for SD1/clip_l (HF CLIPTokenizer convention), 0 for openai clip.tokenize / OpenCLIP / clip_g */
  padToken?: number;
  /** text clean-up (default 'openai') */
  clean?: CleanMode;
}

export class ClipTokenizer {
  readonly encoder: Map<string, number>;
  readonly decoder: Map<number, string>;
  readonly bpeRanks: Map<string, number>;
  readonly bos = CLIP_BOS;
  readonly eos = CLIP_EOS;
  private readonly byteEncoder: string[];
  private readonly byteDecoder: Map<string, number>;
  private readonly cache = new Map<string, string[]>();
  private readonly utf8 = new TextEncoder();
  private readonly utf8Decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

  private constructor(encoder: Map<string, number>, merges: Array<[string, string]>) {
    const b2u = bytesToUnicode();
    this.byteEncoder = new Array<string>(256);
    this.byteDecoder = new Map();
    for (const [b, c] of b2u) {
      this.byteEncoder[b] = c;
      this.byteDecoder.set(c, b);
    }
    this.encoder = encoder;
    this.decoder = new Map();
    for (const [k, v] of encoder) this.decoder.set(v, k);
    this.bpeRanks = new Map();
    merges.forEach(([a, b], i) => this.bpeRanks.set(`${a} ${b}`, i));
    for (const s of SPECIALS) this.cache.set(s, [s]);
    if (encoder.get(SPECIALS[0]) !== CLIP_BOS || encoder.get(SPECIALS[1]) !== CLIP_EOS) {
      throw new Error(`not a CLIP vocabulary: <|startoftext|>/<|endoftext|> must be ids ${CLIP_BOS}/${CLIP_EOS}`);
    }
  }

  /** From the text of openai's merges file (`bpe_simple_vocab_16e6.txt`, first line is a header). */
  static fromMergesText(text: string): ClipTokenizer {
    const lines = text.split('\n').slice(1, N_MERGES + 1);
    if (lines.length < N_MERGES) throw new Error(`CLIP merges file too short: ${lines.length} merges, expected ${N_MERGES}`);
    const merges = lines.map((l) => {
      const parts = l.split(/\s+/).filter((x) => x !== '');
      if (parts.length !== 2) throw new Error(`bad merge line in CLIP vocabulary: ${JSON.stringify(l)}`);
      return [parts[0], parts[1]] as [string, string];
    });
    const vocab: string[] = bytesToUnicode().map(([, c]) => c);
    const n = vocab.length;
    for (let i = 0; i < n; i++) vocab.push(`${vocab[i]}</w>`);
    for (const [a, b] of merges) vocab.push(a + b);
    vocab.push(...SPECIALS);
    const encoder = new Map<string, number>();
    vocab.forEach((v, i) => encoder.set(v, i));
    return new ClipTokenizer(encoder, merges);
  }

  /** From the Hugging Face pair: `vocab.json` (token → id) and `merges.txt` (`#version` header line + merges). */
  static fromHuggingFace(vocabJson: string, mergesText: string): ClipTokenizer {
    const obj = JSON.parse(vocabJson) as Record<string, number>;
    const encoder = new Map<string, number>(Object.entries(obj));
    // transformers' CLIPTokenizer: merges_handle.read().strip().split("\n")[1:49152-256-2+1]
    const lines = mergesText
      .trim()
      .split('\n')
      .slice(1, N_MERGES + 1);
    const merges = lines.map((l) => {
      const parts = l.split(/\s+/).filter((x) => x !== '');
      if (parts.length !== 2) throw new Error(`bad merge line in merges.txt: ${JSON.stringify(l)}`);
      return [parts[0], parts[1]] as [string, string];
    });
    return new ClipTokenizer(encoder, merges);
  }

  /** Loads a vocabulary found by `findVocabulary`. */
  static fromSource(src: VocabularySource): ClipTokenizer {
    if (src.kind === 'hf') {
      return ClipTokenizer.fromHuggingFace(fs.readFileSync(src.files[0], 'utf8'), fs.readFileSync(src.files[1], 'utf8'));
    }
    const raw = fs.readFileSync(src.files[0]);
    const text = src.kind === 'bpe-gz' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    return ClipTokenizer.fromMergesText(text);
  }

  /** SimpleTokenizer.bpe: the BPE pieces of one pre-token (already byte-encoded). */
  bpe(token: string): string[] {
    const cached = this.cache.get(token);
    if (cached) return cached;
    const chars = Array.from(token);
    let word = chars.slice(0, -1);
    word.push(`${chars[chars.length - 1]}</w>`);
    if (word.length === 1) {
      this.cache.set(token, word);
      return word;
    }
    while (word.length > 1) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i < word.length - 1; i++) {
        const r = this.bpeRanks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const first = word[best];
      const second = word[best + 1];
      const next: string[] = [];
      for (let i = 0; i < word.length; ) {
        if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
          next.push(first + second);
          i += 2;
        } else {
          next.push(word[i]);
          i += 1;
        }
      }
      word = next;
    }
    this.cache.set(token, word);
    return word;
  }

  /**
   * SimpleTokenizer.encode: token ids without BOS/EOS. `clean` picks the text clean-up
   * (default 'openai'; 'hf-basic' / 'hf-ftfy' reproduce transformers' CLIPTokenizer, see CleanMode).
   */
  encode(text: string, clean: CleanMode = 'openai'): number[] {
    const out: number[] = [];
    const cleaned = cleanForClip(text, clean);
    for (const m of cleaned.matchAll(PAT)) {
      let tok = '';
      for (const b of this.utf8.encode(m[0])) tok += this.byteEncoder[b];
      for (const piece of this.bpe(tok)) {
        const id = this.encoder.get(piece);
        if (id === undefined) throw new Error(`BPE piece ${JSON.stringify(piece)} missing from the CLIP vocabulary`);
        out.push(id);
      }
    }
    return out;
  }

  /** BOS + encode(text) + EOS, unpadded and untruncated. */
  encodeWithSpecialTokens(text: string, clean: CleanMode = 'openai'): number[] {
    return [this.bos, ...this.encode(text, clean), this.eos];
  }

  /**
   * Fixed-length ids: BOS + tokens + EOS; longer inputs are truncated keeping EOS as the last id
   * (`clip.tokenize(truncate=True)`); shorter ones padded with `padToken` (default EOS, the SD1 rule;
   * pass 0 for openai `clip.tokenize` / OpenCLIP / SDXL clip_g).
   */
  tokenize(text: string, opts: TokenizeOptions = {}): Int32Array {
    const len = opts.contextLength ?? CLIP_CONTEXT_LENGTH;
    const pad = opts.padToken ?? this.eos;
    const ids = this.encodeWithSpecialTokens(text, opts.clean);
    const out = new Int32Array(len).fill(pad);
    if (ids.length > len) {
      out.set(ids.slice(0, len));
      out[len - 1] = this.eos;
    } else {
      out.set(ids);
    }
    return out;
  }

  /** SimpleTokenizer.decode: ids → text, `</w>` → ' ', invalid UTF-8 → U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    const bytes: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const piece = this.decoder.get(ids[i]);
      if (piece === undefined) throw new Error(`token id ${ids[i]} is not in the CLIP vocabulary`);
      for (const c of piece) {
        const b = this.byteDecoder.get(c);
        if (b !== undefined) bytes.push(b);
        else for (const x of this.utf8.encode(c)) bytes.push(x);
      }
    }
    return this.utf8Decoder.decode(Uint8Array.from(bytes)).split('</w>').join(' ');
  }
}

// ---------------------------------------------------------------------------------------------
// Finding the vocabulary
// ---------------------------------------------------------------------------------------------

export const CLIP_VOCAB_FILE = 'bpe_simple_vocab_16e6.txt.gz';

export interface VocabularySource {
  /** bpe-gz: openai's gzip merges file; bpe-txt: the same, unzipped; hf: vocab.json + merges.txt */
  kind: 'bpe-gz' | 'bpe-txt' | 'hf';
  /** absolute paths: [merges file] or [vocab.json, merges.txt] */
  files: string[];
}

export class MissingVocabularyError extends Error {
  constructor(readonly searched: string[]) {
    super(
      `CLIP tokenizer vocabulary not found. Put ${CLIP_VOCAB_FILE} (from openai/CLIP, clip/${CLIP_VOCAB_FILE}) ` +
        `- or vocab.json + merges.txt from openai/clip-vit-large-patch14 - into ` +
        (searched.length > 0 ? `one of: ${searched.join(', ')}` : 'models/clip') +
        `, or set LOOM_CLIP_VOCAB to the file's path.`,
    );
    this.name = 'MissingVocabularyError';
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The vocabulary file(s) in one folder (also its `tokenizer/` subfolder, the diffusers layout), or null. */
function vocabularyIn(dir: string): VocabularySource | null {
  for (const d of [dir, path.join(dir, 'tokenizer')]) {
    const gz = path.join(d, CLIP_VOCAB_FILE);
    if (isFile(gz)) return { kind: 'bpe-gz', files: [gz] };
    const txt = path.join(d, 'bpe_simple_vocab_16e6.txt');
    if (isFile(txt)) return { kind: 'bpe-txt', files: [txt] };
    const vj = path.join(d, 'vocab.json');
    const mt = path.join(d, 'merges.txt');
    if (isFile(vj) && isFile(mt)) return { kind: 'hf', files: [vj, mt] };
  }
  return null;
}

/** A vocabulary named by a path: the .txt.gz/.txt merges file, a vocab.json (merges.txt beside it), or a folder. */
export function vocabularyAt(p: string): VocabularySource | null {
  const abs = path.resolve(p);
  if (isFile(abs)) {
    const base = path.basename(abs).toLowerCase();
    if (base.endsWith('.json')) {
      const mt = path.join(path.dirname(abs), 'merges.txt');
      return isFile(mt) ? { kind: 'hf', files: [abs, mt] } : null;
    }
    if (base === 'merges.txt') {
      const vj = path.join(path.dirname(abs), 'vocab.json');
      return isFile(vj) ? { kind: 'hf', files: [vj, abs] } : null;
    }
    return { kind: base.endsWith('.gz') ? 'bpe-gz' : 'bpe-txt', files: [abs] };
  }
  return vocabularyIn(abs);
}

/** First folder of `dirs` holding a CLIP vocabulary; throws `MissingVocabularyError` naming all of them. */
export function findVocabulary(dirs: string[]): VocabularySource {
  const searched: string[] = [];
  for (const d of dirs) {
    const abs = path.resolve(d);
    if (searched.includes(abs)) continue;
    searched.push(abs);
    const hit = vocabularyAt(abs);
    if (hit) return hit;
  }
  throw new MissingVocabularyError(searched);
}

export interface VocabularyDirOptions {
  /** the models folder (LoomPaths.models); its `clip/` subfolder is searched */
  modelsDir?: string;
  /** a checkpoint being loaded: its folder is searched too */
  checkpointPath?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Where the app looks, in order: LOOM_CLIP_VOCAB (a file or folder), `<models>/clip`, the checkpoint's
 * folder, and — only when NODE_ENV is not 'production' — the development copy of the reference data,
 * `$LOOM_GOLDEN_DIR/clip` or `../shared/golden/clip` beside the checkout (never shipped in the repo).
 */
export function vocabularySearchDirs(opts: VocabularyDirOptions = {}): string[] {
  const env = opts.env ?? process.env;
  const dirs: string[] = [];
  if (env.LOOM_CLIP_VOCAB) dirs.push(path.resolve(env.LOOM_CLIP_VOCAB));
  const models = opts.modelsDir ?? path.resolve(env.LOOM_DATA_DIR ?? process.cwd(), env.LOOM_MODELS_DIR ?? 'models');
  dirs.push(path.join(models, 'clip'));
  if (opts.checkpointPath) dirs.push(path.dirname(path.resolve(opts.checkpointPath)));
  if (env.NODE_ENV !== undefined && env.NODE_ENV !== 'production') {
    dirs.push(path.join(path.resolve(env.LOOM_GOLDEN_DIR ?? path.resolve(process.cwd(), '../shared/golden')), 'clip'));
  }
  return dirs;
}

const loaded = new Map<string, ClipTokenizer>();

/** Finds (see `vocabularySearchDirs`) and loads the CLIP tokenizer, cached per vocabulary file. */
export function loadClipTokenizer(optsOrDirs: VocabularyDirOptions | string[] = {}): ClipTokenizer {
  const dirs = Array.isArray(optsOrDirs) ? optsOrDirs : vocabularySearchDirs(optsOrDirs);
  const src = findVocabulary(dirs);
  const key = src.files.join('|');
  let tok = loaded.get(key);
  if (!tok) {
    tok = ClipTokenizer.fromSource(src);
    loaded.set(key, tok);
  }
  return tok;
}
