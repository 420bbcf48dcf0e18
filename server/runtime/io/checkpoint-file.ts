import { open, stat } from 'node:fs/promises';
import { CheckpointFormatError } from './ckpt/errors';
import { readTorchArchive, type TorchArchive, type TorchReadOptions } from './ckpt/torch';
import { InertObject, TensorSpec, type PyDict, type PyValue } from './ckpt/pickle-values';
import { MAX_HEADER_LENGTH, openSafetensors, SafetensorsError } from './safetensors';
import type { StateDict } from './tensor';

/** A non-tensor item of a training checkpoint, summarised (e.g. global_step: 470000, optimizer_states: list). */
export type CheckpointExtra =
  | string
  | number
  | boolean
  | null
  | { kind: 'dict' | 'list' | 'object' | 'bytes'; className?: string; items: number; tensors: number };

export interface CheckpointFile {
  format: 'safetensors' | 'ckpt';
  /** the model weights: `state_dict` when the file nests them, else the top level */
  tensors: StateDict;
  metadata: Record<string, string>;
  /** top-level entries besides the weights (global_step, epoch, optimizer_states, callbacks, ...) */
  extras: Record<string, CheckpointExtra>;
}

export type FileKind = 'safetensors' | 'torch-zip' | 'torch-legacy' | 'unknown';

/** Decides by content, not extension. */
export function sniff(head: Buffer): FileKind {
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'torch-zip';
  // legacy torch.save: protocol-2 pickle of the magic number 0x1950a86a20f9469cfc6c
  if (head.length >= 4 && head[0] === 0x80 && head[1] === 0x02 && head[2] === 0x8a && head[3] === 0x0a) return 'torch-legacy';
  if (head.length >= 9) {
    const n = head.readBigUInt64LE(0);
    // no size check here: a truncated file should reach the reader and be told so
    if (n > 0n && n <= BigInt(MAX_HEADER_LENGTH) && head[8] === 0x7b /* { */) return 'safetensors';
  }
  return 'unknown';
}

export const LEGACY_MESSAGE =
  'legacy PyTorch serialization is not supported; convert it to .safetensors (in Python: torch.load it and save the state dict with safetensors.torch.save_file, or re-save it with torch.save from torch >= 1.6 first)';

/** `opts.signal` cancels a long .ckpt load (pickle parse, tensor reads); `opts.limits` overrides the LOOM_CKPT_* limits. */
export async function openCheckpointFile(path: string, opts: TorchReadOptions = {}): Promise<CheckpointFile> {
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new CheckpointFormatError(`${path}: is a directory, not a checkpoint file`);
    size = st.size;
  } catch (e) {
    if (e instanceof CheckpointFormatError) throw e;
    throw new CheckpointFormatError(`${path}: cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const fh = await open(path, 'r');
  const head = Buffer.alloc(16);
  try {
    await fh.read(head, 0, 16, 0);
  } finally {
    await fh.close();
  }
  const kind = sniff(head.subarray(0, Math.min(16, size)));
  if (kind === 'safetensors') {
    const f = await openSafetensors(path);
    return { format: 'safetensors', tensors: f.tensors, metadata: f.metadata, extras: {} };
  }
  if (kind === 'torch-zip') return fromArchive(await readTorchArchive(path, size, opts));
  if (kind === 'torch-legacy') throw new CheckpointFormatError(`${path}: ${LEGACY_MESSAGE}`);
  throw new CheckpointFormatError(
    size === 0 ? `${path}: file is empty` : `${path}: not a checkpoint (neither .safetensors nor a PyTorch zip archive by its first bytes)`,
  );
}

export function isCheckpointReadError(e: unknown): e is Error {
  return e instanceof CheckpointFormatError || e instanceof SafetensorsError;
}

function fromArchive(archive: TorchArchive): CheckpointFile {
  const root = archive.root;
  if (!(root instanceof Map)) throw new CheckpointFormatError(`${archive.path}: the pickle holds a ${describe(root)}, not a dict of tensors`);
  // T2I-Adapter .pth files may wrap their weights in `adapter` (ComfyUI's load_t2i_adapter unwraps it)
  const wrapped = root.get('state_dict') ?? (root.size === 1 ? root.get('adapter') : undefined);
  const nested = wrapped instanceof Map ? wrapped : undefined;
  const key = root.has('state_dict') ? 'state_dict' : 'adapter';
  const weights: PyDict = nested ?? root;
  const tensors: StateDict = new Map();
  const extras: Record<string, CheckpointExtra> = {};
  for (const [k, v] of weights) {
    if (v instanceof TensorSpec) tensors.set(String(k), archive.tensor(String(k), v));
    else extras[nested ? `${key}.${String(k)}` : String(k)] = summarise(v);
  }
  if (nested) {
    for (const [k, v] of root) if (k !== key) extras[String(k)] = summarise(v);
  }
  if (tensors.size === 0)
    throw new CheckpointFormatError(`${archive.path}: no tensors found (top-level keys: ${[...root.keys()].slice(0, 10).join(', ')})`);
  return { format: 'ckpt', tensors, metadata: {}, extras };
}

function summarise(v: PyValue): CheckpointExtra {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  const counts = { items: 0, tensors: 0 };
  count(v, counts, new Set());
  if (v instanceof Uint8Array) return { kind: 'bytes', items: v.length, tensors: 0 };
  if (v instanceof InertObject) return { kind: 'object', className: v.className, items: v.state.size, tensors: counts.tensors };
  if (v instanceof TensorSpec) return { kind: 'object', className: 'torch.Tensor', items: 1, tensors: 1 };
  if (v instanceof Map) return { kind: 'dict', items: v.size, tensors: counts.tensors };
  if (Array.isArray(v)) return { kind: 'list', items: v.length, tensors: counts.tensors };
  return { kind: 'object', className: v.constructor.name, items: 0, tensors: 0 };
}

/** counts tensors anywhere inside; the set guards against cycles a pickle can build, the explicit stack against deep nesting */
function count(root: PyValue, acc: { tensors: number }, seen: Set<object>): void {
  const todo: PyValue[] = [root];
  while (todo.length > 0) {
    const v = todo.pop() as PyValue;
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof TensorSpec) acc.tensors++;
    else if (Array.isArray(v)) for (const x of v) todo.push(x);
    else if (v instanceof Map) for (const x of v.values()) todo.push(x);
    else if (v instanceof InertObject) for (const x of v.state.values()) todo.push(x);
  }
}

function describe(v: PyValue): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? v.constructor.name : typeof v;
}
