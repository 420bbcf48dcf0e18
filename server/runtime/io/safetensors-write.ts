import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DTYPE_SIZE, numel, type DType } from './tensor';
import { SafetensorsError } from './safetensors';

/** Takes one chunk of a tensor's bytes; the chunk must stay unchanged until the returned promise settles. */
export type ChunkSink = (chunk: Uint8Array) => Promise<void>;

export interface TensorEntry {
  name: string;
  dtype: DType;
  shape: readonly number[];
  /** called once, in file order, never while another entry's data() or stream() is pending */
  data: () => Promise<Uint8Array>;
  /**
   * Optional; when present it is called instead of data() (same rules): it hands the tensor's bytes over
   * in order, in chunks of any size, through `write`, and leaves each chunk untouched until the promise
   * returned for it settles, so a producer can recycle a few buffers instead of holding the whole tensor.
   * It resolves once the last chunk is handed over (its write may still be pending) and calls `write`
   * no more after that.
   */
  stream?: (write: ChunkSink) => Promise<void>;
}

export interface WriteOptions {
  /**
   * How far production may run ahead of the disk: the next tensor's data() starts while the bytes
   * produced but not yet written, plus its own, fit in this budget, or when at most one tensor is
   * pending whatever its size (one written while the next is produced, the behaviour of a budget of 0).
   * Default 64 MiB.
   */
  inFlightBytes?: number;
  /**
   * Starts writeback (an fdatasync in the background) each time this many bytes have been written since
   * the last one, so the final fsync waits for the tail rather than the whole file. 0: off. Default 256 MiB.
   */
  syncEveryBytes?: number;
  /**
   * Metadata known only once every tensor is produced (hashes computed while streaming): the header is
   * written with `metadata` first and rewritten in place with these values before the final fsync, so
   * `metadata` must hold placeholders of the same encoded length.
   */
  lateMetadata?: () => Promise<Record<string, string>>;
  /** Sees every byte of the file in file order (to hash the output while writing it); not with lateMetadata. */
  observe?: (chunk: Uint8Array) => void;
}

export const DEFAULT_IN_FLIGHT_BYTES = 64 << 20;
export const DEFAULT_SYNC_EVERY_BYTES = 256 << 20;

/**
 * Streams tensors into a .safetensors file. The header is computed from shapes alone, then data is
 * written tensor by tensor into a temp file beside `target` that is renamed over it only when complete
 * (and fsynced); on any failure the temp file is removed and `target` left as it was.
 *
 * Tensors are produced one at a time in file order (data() or stream()), up to `inFlightBytes` ahead of
 * the writes, which run one at a time in file order while the next tensors are produced.
 */
export async function writeSafetensors(
  target: string,
  entries: Iterable<TensorEntry> | AsyncIterable<TensorEntry>,
  metadata: Record<string, string> = {},
  options: WriteOptions = {},
): Promise<{ bytes: number; tensors: number }> {
  const list: TensorEntry[] = [];
  const seen = new Set<string>();
  for await (const e of entries) {
    if (e.name === '__metadata__') throw new SafetensorsError(`${target}: "__metadata__" cannot be a tensor name`);
    if (seen.has(e.name)) throw new SafetensorsError(`${target}: tensor "${e.name}" given twice`);
    seen.add(e.name);
    list.push(e);
  }
  const ordered = orderForWriting(list);
  const header = buildHeader(ordered, metadata);
  if (options.lateMetadata && options.observe) throw new SafetensorsError(`${target}: lateMetadata changes the header after it was observed`);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx');
  const out = new SequentialWriter(
    fh,
    Math.max(0, options.inFlightBytes ?? DEFAULT_IN_FLIGHT_BYTES),
    Math.max(0, options.syncEveryBytes ?? DEFAULT_SYNC_EVERY_BYTES),
    options.observe,
  );
  let ok = false;
  try {
    void out.write(header); // a failed write is surfaced by out.check() and out.finish()
    for (const e of ordered) {
      const expected = numel(e.shape) * DTYPE_SIZE[e.dtype];
      const mismatch = (got: string) =>
        new SafetensorsError(`${target}: tensor "${e.name}": data is ${got} bytes, ${e.dtype} ${JSON.stringify(e.shape)} needs ${expected}`);
      if (e.stream) {
        await out.room(0);
        let given = 0;
        let live = true;
        await e.stream((chunk) => {
          given += chunk.byteLength;
          if (!live) out.fail(new SafetensorsError(`${target}: tensor "${e.name}": stream() handed over bytes after it resolved`));
          else if (given > expected) out.fail(mismatch(`at least ${given}`));
          return out.write(chunk);
        });
        live = false;
        out.check();
        if (given !== expected) throw mismatch(String(given));
      } else {
        await out.room(expected);
        const release = out.reserve(expected);
        let bytes: Uint8Array;
        try {
          bytes = await e.data();
          out.check();
          if (bytes.byteLength !== expected) throw mismatch(String(bytes.byteLength));
        } finally {
          release();
        }
        void out.write(bytes); // counted again from here until written
      }
    }
    await out.finish();
    if (options.lateMetadata) {
      const final = buildHeader(ordered, { ...metadata, ...(await options.lateMetadata()) });
      if (final.byteLength !== header.byteLength)
        throw new SafetensorsError(`${target}: late metadata changed the header's length (${header.byteLength} -> ${final.byteLength} bytes)`);
      await writeAll(fh, final, 0);
    }
    await fh.sync();
    ok = true;
  } finally {
    await out.settled();
    await fh.close();
    if (!ok) await unlink(tmp).catch(() => undefined);
  }
  await rename(tmp, target);
  return { bytes: out.position, tensors: ordered.length };
}

/**
 * One file's writes, run one at a time in the order they were asked for, at consecutive positions. Keeps
 * count of the bytes produced but not yet written, and starts writeback in the background as it goes.
 * The first failure sticks: later writes are refused and every check throws it.
 */
class SequentialWriter {
  /** where the next write asked for goes (at the end: the file's size) */
  position = 0;
  private tail: Promise<void> = Promise.resolve();
  /** bytes produced or being produced and not yet written, and in how many pieces (tensors or chunks) */
  private held = 0;
  private pieces = 0;
  private failed = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private written = 0;
  private syncedAt = 0;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly fh: FileHandle,
    private readonly budget: number,
    private readonly syncEvery: number,
    private readonly observe?: (chunk: Uint8Array) => void,
  ) {}

  /** Queues `bytes` after every write asked for before; the promise settles when they are in the file. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.failed) {
      const refused = Promise.reject(this.failure);
      refused.catch(() => undefined);
      return refused;
    }
    const at = this.position;
    this.position += bytes.byteLength;
    // writes are asked for in file order and a chunk is valid now: observe it before it may be recycled
    this.observe?.(bytes);
    const release = this.reserve(bytes.byteLength);
    const p = this.tail.then(async () => {
      try {
        this.check();
        await writeAll(this.fh, bytes, at);
        this.written += bytes.byteLength;
        this.startWriteback();
      } catch (err) {
        this.fail(err);
        throw err;
      } finally {
        release();
      }
    });
    p.catch(() => undefined); // a caller may drop the promise; the failure sticks anyway
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** Counts `bytes` about to be produced as held; the returned function stops counting them. */
  reserve(bytes: number): () => void {
    this.held += bytes;
    this.pieces++;
    return () => {
      this.held -= bytes;
      this.pieces--;
      this.wake?.();
    };
  }

  /** Waits until a piece of `bytes` may be produced (or a failure: thrown). */
  async room(bytes: number): Promise<void> {
    while (!this.failed && this.pieces > 1 && this.held + bytes > this.budget) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    this.check();
  }

  fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = err;
    this.wake?.();
  }

  check(): void {
    if (this.failed) throw this.failure;
  }

  /** Waits for every write and writeback, then throws the first failure if any. */
  async finish(): Promise<void> {
    await this.settled();
    this.check();
  }

  /** Waits for every write and writeback to settle; never throws. */
  async settled(): Promise<void> {
    await this.tail;
    await this.syncing;
  }

  private startWriteback(): void {
    if (this.syncEvery === 0 || this.syncing || this.written - this.syncedAt < this.syncEvery) return;
    this.syncedAt = this.written;
    this.syncing = this.fh.datasync().then(
      () => {
        this.syncing = undefined;
      },
      (err) => {
        this.syncing = undefined;
        this.fail(err);
      }, // reported once by the kernel: the final fsync would not see it
    );
  }
}

/** The format's writer order: larger dtype alignment first, then name, so every tensor starts aligned. */
export function orderForWriting<T extends { name: string; dtype: DType }>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => DTYPE_SIZE[b.dtype] - DTYPE_SIZE[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** 8-byte LE length + JSON padded with spaces so the data section starts on a multiple of 8. */
export function buildHeader(ordered: readonly { name: string; dtype: DType; shape: readonly number[] }[], metadata: Record<string, string>): Buffer {
  const obj: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) obj.__metadata__ = metadata;
  let offset = 0;
  for (const e of ordered) {
    for (const d of e.shape) {
      if (!Number.isSafeInteger(d) || d < 0) throw new SafetensorsError(`tensor "${e.name}": bad dimension ${d}`);
    }
    const len = numel(e.shape) * DTYPE_SIZE[e.dtype];
    obj[e.name] = { dtype: e.dtype, shape: [...e.shape], data_offsets: [offset, offset + len] };
    offset += len;
  }
  const json = Buffer.from(JSON.stringify(obj), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  const out = Buffer.alloc(8 + padded, 0x20);
  out.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(out, 8);
  return out;
}

async function writeAll(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done, position + done);
    done += bytesWritten;
  }
}
