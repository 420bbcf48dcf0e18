import { open, type FileHandle } from 'node:fs/promises';
import { readRange } from '../read-range';
import { DTYPE_SIZE, numel, type TensorRef } from '../tensor';
import { CheckpointFormatError } from './errors';
import { DEFAULT_PICKLE_BUDGET, unpickleAsync } from './pickle';
import type { TensorSpec, PyValue } from './pickle-values';
import { readZipDirectory, type ZipEntry } from './zip';

export interface TorchReadOptions {
  /** aborts the load: checked while the pickle is parsed and before each tensor read */
  signal?: AbortSignal;
  /** overrides for the limits below (tests; LOOM_CKPT_* env vars otherwise) */
  limits?: Partial<CkptLimits>;
}

export interface CkptLimits {
  /** data.pkl size; real ones are a few MB (LOOM_CKPT_MAX_PICKLE_BYTES) */
  maxPickleBytes: number;
  /** what the unpickler may materialise (LOOM_CKPT_PICKLE_BUDGET) */
  pickleBudget: number;
  /**
   * Views larger than their storage (stride 0 or overlapping strides) are read into full copies: they
   * may total this many bytes, enough for tiny test files, never a model (LOOM_CKPT_MAX_EXPANDED_BYTES).
   */
  maxExpandedBytes: number;
  /** all tensors together may not exceed this many times the file's size (shared/tied storages count again) */
  maxViewToFileRatio: number;
}

const envInt = (name: string, dflt: number): number => {
  const v = Number(process.env[name]);
  return Number.isSafeInteger(v) && v > 0 ? v : dflt;
};

export function ckptLimits(over: Partial<CkptLimits> = {}): CkptLimits {
  return {
    maxPickleBytes: over.maxPickleBytes ?? envInt('LOOM_CKPT_MAX_PICKLE_BYTES', 64 * 1024 * 1024),
    pickleBudget: over.pickleBudget ?? envInt('LOOM_CKPT_PICKLE_BUDGET', DEFAULT_PICKLE_BUDGET),
    maxExpandedBytes: over.maxExpandedBytes ?? envInt('LOOM_CKPT_MAX_EXPANDED_BYTES', 16 * 1024 * 1024),
    maxViewToFileRatio: over.maxViewToFileRatio ?? 2,
  };
}

export interface TorchArchive {
  path: string;
  /** the unpickled object, tensors as TensorSpec */
  root: PyValue;
  /** A lazy tensor for a spec found in `root`. */
  tensor(name: string, spec: TensorSpec): TensorRef;
}

/** Opens a torch.save zip archive (`<prefix>/data.pkl` + `<prefix>/data/<key>` storages). */
export async function readTorchArchive(path: string, fileSize: number, opts: TorchReadOptions = {}): Promise<TorchArchive> {
  const limits = ckptLimits(opts.limits);
  const fh = await open(path, 'r');
  let entries: Map<string, ZipEntry>;
  let pickleBytes: Buffer;
  let prefix: string;
  try {
    entries = await readZipDirectory(fh, fileSize).catch((e: unknown) => rethrow(path, e));
    const pkls = [...entries.keys()].filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
    if (pkls.length !== 1) throw new CheckpointFormatError(`${path}: not a PyTorch checkpoint archive (expected one data.pkl, found ${pkls.length})`);
    prefix = pkls[0].slice(0, -'data.pkl'.length);
    const pkl = entries.get(pkls[0])!;
    if (pkl.size > limits.maxPickleBytes) {
      throw new CheckpointFormatError(
        `${path}: data.pkl is ${pkl.size} bytes, over the ${limits.maxPickleBytes}-byte limit (LOOM_CKPT_MAX_PICKLE_BYTES)`,
      );
    }
    pickleBytes = await readExactly(fh, pkl.dataOffset, pkl.size);
    // torch >= 2.1 records the storages' byte order; every reader here assumes little-endian
    const order = entries.get(`${prefix}byteorder`);
    if (order && order.size <= 16) {
      const text = (await readExactly(fh, order.dataOffset, order.size)).toString('latin1').trim();
      if (text !== 'little') throw new CheckpointFormatError(`${path}: storages are ${text}-endian; only little-endian checkpoints are supported`);
    }
  } finally {
    await fh.close();
  }
  const root = await unpickleAsync(pickleBytes, path, { maxBytes: limits.pickleBudget, signal: opts.signal });
  // the archive's tensors may not amount to much more than the file: refuses views that fan one storage out into a model
  const totals = { expanded: 0, views: 0 };
  const maxViews = limits.maxViewToFileRatio * fileSize + limits.maxExpandedBytes;
  return {
    path,
    root,
    tensor: (name, spec) => tensorRef({ path, entries, prefix, limits, totals, maxViews, signal: opts.signal }, name, spec),
  };
}

interface ArchiveState {
  path: string;
  entries: Map<string, ZipEntry>;
  prefix: string;
  limits: CkptLimits;
  totals: { expanded: number; views: number };
  maxViews: number;
  signal?: AbortSignal;
}

function rethrow(path: string, e: unknown): never {
  if (e instanceof CheckpointFormatError) throw new CheckpointFormatError(`${path}: ${e.message}`);
  throw e;
}

async function readExactly(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  if (bytesRead !== length) throw new CheckpointFormatError(`short read at ${position}`);
  return buf;
}

function tensorRef(archive: ArchiveState, name: string, spec: TensorSpec): TensorRef {
  const { path, entries, prefix, limits, totals, signal } = archive;
  const fail = (msg: string): never => {
    throw new CheckpointFormatError(`${path}: tensor "${name}": ${msg}`);
  };
  const { storage, storageOffset, shape, stride } = spec;
  const member = entries.get(`${prefix}data/${storage.key}`) ?? fail(`storage data/${storage.key} is missing from the archive`);
  const es = DTYPE_SIZE[storage.dtype];
  if (member.size !== storage.numel * es) fail(`storage data/${storage.key} holds ${member.size} bytes, expected ${storage.numel * es}`);
  if (shape.length !== stride.length) fail(`shape ${JSON.stringify(shape)} and stride ${JSON.stringify(stride)} differ in rank`);
  const count = numel(shape);
  if (!Number.isSafeInteger(count)) fail('element count overflows');
  let last = storageOffset;
  for (let i = 0; i < shape.length; i++) if (shape[i] > 0) last += (shape[i] - 1) * stride[i];
  if (count > 0 && last >= storage.numel) fail(`view reaches element ${last} of a ${storage.numel}-element storage`);
  if (count > storage.numel) {
    // only stride 0 or overlapping strides make a view larger than its storage: each is a full copy when read
    totals.expanded += count * es;
    if (totals.expanded > limits.maxExpandedBytes) {
      fail(
        `a ${count}-element view of a ${storage.numel}-element storage (stride ${JSON.stringify(stride)}): views larger than their storage ` +
          `total ${totals.expanded} bytes, over the ${limits.maxExpandedBytes}-byte allowance (LOOM_CKPT_MAX_EXPANDED_BYTES); a real checkpoint stores its weights`,
      );
    }
  }
  totals.views += count * es;
  if (totals.views > archive.maxViews) {
    fail(
      `the tensors so far total ${totals.views} bytes, more than ${limits.maxViewToFileRatio}x the file's size plus ${limits.maxExpandedBytes} bytes: storages are shared by too many views`,
    );
  }
  const base = { name, dtype: storage.dtype, shape: Object.freeze([...shape]) };
  if (count === 0 || isContiguous(shape, stride)) {
    const file = { path, offset: member.dataOffset + storageOffset * es, length: count * es };
    return {
      ...base,
      file,
      read: async () => {
        signal?.throwIfAborted();
        return readRange(file);
      },
    };
  }
  // a strided view: read the span it touches and gather the elements in row-major order
  const span = { path, offset: member.dataOffset + storageOffset * es, length: (last - storageOffset + 1) * es };
  return {
    ...base,
    read: async () => {
      signal?.throwIfAborted();
      return gather(await readRange(span), shape, stride, es);
    },
  };
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

function gather(src: Buffer, shape: readonly number[], stride: readonly number[], es: number): Buffer {
  const out = Buffer.allocUnsafe(numel(shape) * es);
  const idx = new Array<number>(shape.length).fill(0);
  let o = 0;
  let s = 0;
  const total = numel(shape);
  for (let n = 0; n < total; n++) {
    src.copy(out, o, s * es, s * es + es);
    o += es;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]++;
      s += stride[d];
      if (idx[d] < shape[d]) break;
      s -= stride[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}
