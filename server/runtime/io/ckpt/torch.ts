import { open, type FileHandle } from 'node:fs/promises';
import { readRange } from '../read-range';
import { DTYPE_SIZE, numel, type TensorRef } from '../tensor';
import { CheckpointFormatError } from './errors';
import { unpickle } from './pickle';
import { TensorSpec, type PyValue } from './pickle-values';
import { readZipDirectory, type ZipEntry } from './zip';

/** data.pkl is read into memory; real ones are a few MB, this only stops absurd allocations. */
const MAX_PICKLE_BYTES = 1 << 30;

export interface TorchArchive {
  path: string;
  /** the unpickled object, tensors as TensorSpec */
  root: PyValue;
  /** A lazy tensor for a spec found in `root`. */
  tensor(name: string, spec: TensorSpec): TensorRef;
}

/** Opens a torch.save zip archive (`<prefix>/data.pkl` + `<prefix>/data/<key>` storages). */
export async function readTorchArchive(path: string, fileSize: number): Promise<TorchArchive> {
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
    if (pkl.size > MAX_PICKLE_BYTES) throw new CheckpointFormatError(`${path}: data.pkl is ${pkl.size} bytes, over the ${MAX_PICKLE_BYTES}-byte limit`);
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
  const root = unpickle(pickleBytes, path);
  return { path, root, tensor: (name, spec) => tensorRef(path, entries, prefix, name, spec) };
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

function tensorRef(path: string, entries: Map<string, ZipEntry>, prefix: string, name: string, spec: TensorSpec): TensorRef {
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
  const base = { name, dtype: storage.dtype, shape: Object.freeze([...shape]) };
  if (count === 0 || isContiguous(shape, stride)) {
    const file = { path, offset: member.dataOffset + storageOffset * es, length: count * es };
    return { ...base, file, read: () => readRange(file) };
  }
  // a strided view: read the span it touches and gather the elements in row-major order
  const span = { path, offset: member.dataOffset + storageOffset * es, length: (last - storageOffset + 1) * es };
  return {
    ...base,
    read: async () => gather(await readRange(span), shape, stride, es),
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
