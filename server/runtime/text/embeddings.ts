/**
 * Textual-inversion embeddings as ComfyUI's load_embed finds and reads them: `name`, else `name` + .safetensors /
 * .pt / .bin, in the embeddings folders and every folder below them; A1111 `.pt` (string_to_param, read by our pickle
 * reader, which executes nothing), diffusers `.bin`, `emb_params` / `clip_l` / `clip_g` safetensors, LoRA-bundled
 * `bundle_emb.*`. The vectors come back as rows of the tower's width.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readTorchArchive } from '../io/ckpt/torch';
import { TensorSpec, type PyValue } from '../io/ckpt/pickle-values';
import { sniff } from '../io/checkpoint-file';
import { openSafetensors } from '../io/safetensors';
import { toFloat32 } from '../io/dtype';
import type { TensorRef } from '../io/tensor';

const EXTENSIONS = ['.safetensors', '.pt', '.bin'];
/** how deep below an embeddings folder files are looked for (ComfyUI walks them all) */
const MAX_DEPTH = 8;

export interface Embedding {
  name: string;
  file: string;
  /** rows × width, row-major */
  rows: Float32Array;
  count: number;
  width: number;
}

export class EmbeddingError extends Error {
  constructor(
    message: string,
    /** the embedding's name as written in the prompt */
    readonly embedding: string,
  ) {
    super(message);
    this.name = 'EmbeddingError';
  }
}

/** Each folder and every folder below it (symlinked folders followed once), as ComfyUI's expand_directory_list. */
export function embeddingFolders(dirs: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string, depth: number) => {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    out.push(dir);
    if (depth >= MAX_DEPTH) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() || (e.isSymbolicLink() && isDir(p))) walk(p, depth + 1);
    }
  };
  for (const d of dirs) walk(d, 0);
  return out;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The file `name` names in `folders`, or null; a name that climbs out of its folder is never looked up. */
export function findEmbeddingFile(name: string, folders: readonly string[]): string | null {
  if (name === '') return null;
  for (const folder of folders) {
    const base = path.resolve(folder);
    const p = path.resolve(base, name);
    if (p !== base && !p.startsWith(base + path.sep)) continue;
    if (isFile(p)) return p;
    for (const x of EXTENSIONS) if (isFile(p + x)) return p + x;
  }
  return null;
}

async function readRows(t: TensorRef): Promise<{ data: Float32Array; shape: readonly number[] }> {
  return { data: toFloat32(await t.read(), t.dtype), shape: t.shape };
}

/** The tensors of the file by key (nested dicts of a pickle flattened with dots), in file order. */
async function tensorsOf(file: string): Promise<{ entries: [string, TensorRef][]; list: boolean }> {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(16);
  try {
    fs.readSync(fd, head, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  const kind = sniff(head);
  if (kind === 'safetensors') return { entries: [...(await openSafetensors(file)).tensors], list: false };
  if (kind !== 'torch-zip')
    throw new EmbeddingError(`${file}: not an embedding file (neither safetensors nor a PyTorch zip archive)`, path.basename(file));
  const archive = await readTorchArchive(file, fs.statSync(file).size);
  const entries: [string, TensorRef][] = [];
  const visit = (v: PyValue, key: string, depth: number) => {
    if (depth > 6) return;
    if (v instanceof TensorSpec) entries.push([key, archive.tensor(key, v)]);
    else if (v instanceof Map) for (const [k, x] of v) visit(x, key ? `${key}.${String(k)}` : String(k), depth + 1);
    else if (Array.isArray(v)) v.forEach((x, i) => visit(x, key ? `${key}.${i}` : String(i), depth + 1));
  };
  visit(archive.root, '', 0);
  return { entries, list: Array.isArray(archive.root) };
}

/**
 * ComfyUI's choice of tensor: string_to_param's first value; for a list, every tensor of the tower's width;
 * the tower's key (clip_l, clip_g, clip_h); LoRA-bundled string_to_param or key; else the first tensor.
 */
function pick(entries: [string, TensorRef][], list: boolean, width: number, key: string): TensorRef[] {
  const stp = entries.filter(([k]) => k.startsWith('string_to_param.'));
  if (stp.length > 0) return [stp[0][1]];
  if (list) return entries.filter(([, t]) => t.shape.at(-1) === width).map(([, t]) => t);
  const exact = entries.find(([k]) => k === key);
  if (exact) return [exact[1]];
  const bundled = entries.filter(([k]) => k.startsWith('bundle_emb.') && k.endsWith('.string_to_param.*'));
  if (bundled.length > 0) return bundled.map(([, t]) => t);
  const bundledKey = entries.filter(([k]) => k.startsWith('bundle_emb.') && k.endsWith(`.${key}`));
  if (bundledKey.length > 0) return bundledKey.map(([, t]) => t);
  return entries.length > 0 ? [entries[0][1]] : [];
}

/**
 * Loads `name` for a tower of `width` whose embedding key is `key`. Null when no file is found (ComfyUI warns and
 * skips it); a file that is found but unreadable or of another width is an error naming it.
 */
export async function loadEmbedding(name: string, folders: readonly string[], width: number, key: string): Promise<Embedding | null> {
  const file = findEmbeddingFile(name, folders);
  if (!file) return null;
  let tensors: TensorRef[];
  try {
    const { entries, list } = await tensorsOf(file);
    tensors = pick(entries, list, width, key);
  } catch (e) {
    if (e instanceof EmbeddingError) throw new EmbeddingError(`embedding:${name}: ${e.message}`, name);
    throw new EmbeddingError(`embedding:${name} (${file}) could not be read: ${e instanceof Error ? e.message : String(e)}`, name);
  }
  if (tensors.length === 0) throw new EmbeddingError(`embedding:${name} (${path.basename(file)}) holds no vectors of width ${width}`, name);
  const parts = await Promise.all(tensors.map(readRows));
  for (const p of parts) {
    const w = p.shape.at(-1) ?? 0;
    if (w !== width) {
      throw new EmbeddingError(
        `embedding:${name} (${path.basename(file)}) has vectors of width ${w}; this text encoder (${key}) takes ${width}: an embedding for another model family?`,
        name,
      );
    }
  }
  const count = parts.reduce((n, p) => n + p.data.length / width, 0);
  const rows = new Float32Array(count * width);
  let at = 0;
  for (const p of parts) {
    rows.set(p.data, at);
    at += p.data.length;
  }
  return { name, file, rows, count, width };
}
