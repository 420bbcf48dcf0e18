/**
 * Streams merged tensors through the WebAssembly SIMD kernel: file chunks are read straight into the
 * kernel's memory (the next chunk's reads overlap this chunk's compute), and each output chunk is handed
 * to the writer straight from the kernel's memory (a ring of output regions, each reused once its write
 * is done), so writes overlap the next chunks' reads and compute and nothing is copied out.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { ChunkSink } from '../../io/safetensors-write';
import type { DType, FileRange } from '../../io/tensor';
import { CheckpointError } from '../errors';
import { BLOCK, DTYPE_CODE, KERNEL_WAT, MODE_CODE } from './kernel-wat';

export type KernelDType = keyof typeof DTYPE_CODE;
export type KernelMode = keyof typeof MODE_CODE;

export function isKernelDType(d: DType): d is KernelDType {
  return d in DTYPE_CODE;
}

/** elements per read; 1 Mi keeps a chunk at 2-4 MiB per source, large enough for full-speed reads */
export const CHUNK = 1 << 20;
const PAD = 64; // the kernel runs to the next multiple of 8 elements past a region's end
const REGION = CHUNK * 4 + PAD;
const SCRATCH = 0;
const SLOTS = BLOCK * 12; // after 3 f32 scratch blocks
const slotPtr = (slot: number, src: number) => SLOTS + (slot * 3 + src) * REGION;
/** output regions: chunks being written while later ones are computed */
const OUTS = 4;
const outPtr = (o: number) => slotPtr(2, 0) + o * REGION;
const PAGES = Math.ceil(outPtr(OUTS) / 65536);

interface Exports {
  merge(
    mode: number,
    a: number,
    at: number,
    b: number,
    bt: number,
    c: number,
    ct: number,
    out: number,
    ot: number,
    n: number,
    k: number,
    r: number,
    scratch: number,
  ): void;
}

export interface Kernel {
  exports: Exports;
  memory: WebAssembly.Memory;
}

let compiled: Promise<Kernel> | undefined;

/** Compiled once per process; wabt (a large module) is loaded only when a merge first needs it. */
export function loadKernel(): Promise<Kernel> {
  compiled ??= (async () => {
    const wabt = await (await import('wabt')).default();
    const mod = wabt.parseWat('merge-kernel.wat', KERNEL_WAT);
    try {
      const { buffer } = mod.toBinary({});
      const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES });
      const instance = await WebAssembly.instantiate(await WebAssembly.compile(new Uint8Array(buffer)), { env: { memory } });
      return { exports: instance.exports as unknown as Exports, memory };
    } finally {
      mod.destroy();
    }
  })();
  compiled.catch(() => (compiled = undefined));
  return compiled;
}

// the kernel's memory is one per process: tensors (of any merge) take turns
let turn: Promise<unknown> = Promise.resolve();
// each output region's last write, settled either way (its failure is the writer's to report); the ring
// outlives a tensor's turn, so the next tensor waits for a region's write before computing into it
const outFree: Promise<void>[] = Array.from({ length: OUTS }, () => Promise.resolve());
let outNext = 0;
function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const run = turn.then(work, work);
  turn = run.catch(() => undefined);
  return run;
}

/** How many tensors went through the kernel in this process (tests check the fast path is taken). */
export const kernelStats = { tensors: 0 };

export interface KernelSource {
  file: FileRange;
  dtype: KernelDType;
}

export interface KernelJob {
  /** for error messages */
  name: string;
  /** convert: A's values in the output dtype */
  mode: KernelMode;
  /** weighted: out = k·a + r·b; add-difference: a + r·(b − c); both already f32 (Math.fround) */
  k: number;
  r: number;
  a: KernelSource;
  b?: KernelSource;
  c?: KernelSource;
  out: 'F16' | 'F32';
  count: number;
}

const SIZE: Record<KernelDType, number> = { F32: 4, F16: 2, BF16: 2 };

/** Sees each source read (file, absolute offset, bytes valid only during the call): lets a merge hash its sources. */
export type ReadObserver = (file: string, offset: number, bytes: Uint8Array) => void;

/** One merge's use of the kernel: keeps its source files open until close(). */
export class KernelMerge {
  private readonly handles = new Map<string, Promise<FileHandle>>();
  private readonly active = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly observe?: ReadObserver) {}

  /** Raw bytes of a range through the open handles (for ratio 0/1 copies in the stored dtype). */
  bytes(name: string, file: FileRange): Promise<Uint8Array> {
    return this.track(async () => {
      const buf = Buffer.allocUnsafeSlow(file.length);
      await readExact(await this.handle(file.path), buf, file, 0, file.length, name);
      this.observe?.(file.path, file.offset, buf);
      return buf;
    });
  }

  /** bytes() handed to `write` chunk by chunk, read into the kernel's output regions (a TensorEntry's stream). */
  streamBytes(name: string, file: FileRange, write: ChunkSink): Promise<void> {
    return this.track(async () => {
      const [k, fh] = await Promise.all([loadKernel(), this.handle(file.path)]);
      const step = CHUNK * 4;
      await exclusive(async () => {
        const ring = new OutRing(k);
        for (let at = 0; at < file.length; at += step) {
          const n = Math.min(step, file.length - at);
          const o = await ring.take();
          const chunk = new Uint8Array(k.memory.buffer, outPtr(o), n);
          await readExact(fh, chunk, file, at, n, name);
          this.observe?.(file.path, file.offset + at, chunk);
          ring.give(o, n, write);
        }
      });
    });
  }

  /** The tensor's output bytes in a buffer of their own. */
  async run(job: KernelJob): Promise<Uint8Array> {
    const result = Buffer.allocUnsafeSlow(job.count * SIZE[job.out]);
    let at = 0;
    await this.stream(job, async (chunk) => {
      result.set(chunk, at);
      at += chunk.byteLength;
    });
    return result;
  }

  /** The tensor's output bytes handed to `write` chunk by chunk, straight from the kernel's memory (a TensorEntry's stream). */
  stream(job: KernelJob, write: ChunkSink): Promise<void> {
    return this.track(async () => {
      const k = await loadKernel();
      const sources = [job.a, job.b, job.c].filter((s): s is KernelSource => s !== undefined);
      for (const s of sources) {
        if (s.file.length !== job.count * SIZE[s.dtype])
          throw new CheckpointError(`tensor "${job.name}": ${s.file.path} holds ${s.file.length} bytes, not ${job.count} ${s.dtype}`);
      }
      const handles = await Promise.all(sources.map((s) => this.handle(s.file.path)));
      await exclusive(() => compute(k, job, sources, handles, write, this.observe));
    });
  }

  /** Waits for this merge's reads to settle, then closes its files. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.active]);
    const handles = await Promise.allSettled(this.handles.values());
    this.handles.clear();
    await Promise.allSettled(handles.map((h) => (h.status === 'fulfilled' ? h.value.close() : undefined)));
  }

  private track<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('merge kernel used after close()'));
    const p = work();
    this.active.add(p);
    const done = () => this.active.delete(p);
    p.then(done, done);
    return p;
  }

  private handle(path: string): Promise<FileHandle> {
    let h = this.handles.get(path);
    if (!h) {
      h = open(path, 'r');
      h.catch(() => undefined); // surfaced to the tensor that awaits it
      this.handles.set(path, h);
    }
    return h;
  }
}

/**
 * The output regions as one tensor's turn uses them: take() waits until the next region's last write is
 * done (throwing if it was this tensor's and failed), give() hands a filled region to the writer.
 */
class OutRing {
  private readonly mine = new Map<number, Promise<void>>();
  constructor(private readonly k: Kernel) {}

  async take(): Promise<number> {
    const o = outNext;
    outNext = (outNext + 1) % OUTS;
    await (this.mine.get(o) ?? outFree[o]);
    return o;
  }

  give(o: number, bytes: number, write: ChunkSink): void {
    let p: Promise<void>;
    try {
      p = write(new Uint8Array(this.k.memory.buffer, outPtr(o), bytes));
    } catch (err) {
      p = Promise.reject(err);
    }
    p.catch(() => undefined); // awaited when the region comes round again in this turn, else the writer reports it
    this.mine.set(o, p);
    outFree[o] = p.then(
      () => undefined,
      () => undefined,
    );
  }
}

async function compute(
  k: Kernel,
  job: KernelJob,
  sources: KernelSource[],
  handles: FileHandle[],
  write: ChunkSink,
  observe?: ReadObserver,
): Promise<void> {
  const outSize = SIZE[job.out];
  const mem = k.memory.buffer;
  const ring = new OutRing(k);
  // every source's part of chunk [start, start + n) into its region of `slot`; all settle before a throw
  const read = async (slot: number, start: number, n: number) => {
    const reads = sources.map((s, i) => {
      const size = SIZE[s.dtype];
      const into = new Uint8Array(mem, slotPtr(slot, i), n * size);
      // observed as soon as it lands: the region is reused only after this chunk's compute
      return readExact(handles[i], into, s.file, start * size, n * size, job.name).then(() =>
        observe?.(s.file.path, s.file.offset + start * size, into),
      );
    });
    for (const r of await Promise.allSettled(reads)) if (r.status === 'rejected') throw r.reason;
  };
  const code = (s: KernelSource | undefined) => (s ? DTYPE_CODE[s.dtype] : 0);
  let pending: Promise<void> | undefined = job.count > 0 ? read(0, 0, Math.min(CHUNK, job.count)) : undefined;
  try {
    for (let start = 0, slot = 0; start < job.count; start += CHUNK, slot ^= 1) {
      const n = Math.min(CHUNK, job.count - start);
      await pending;
      const next = start + CHUNK;
      pending = next < job.count ? read(slot ^ 1, next, Math.min(CHUNK, job.count - next)) : undefined;
      pending?.catch(() => undefined); // awaited next turn (or in finally)
      const o = await ring.take();
      const [a, b, c] = [0, 1, 2].map((i) => slotPtr(slot, i));
      k.exports.merge(MODE_CODE[job.mode], a, code(job.a), b, code(job.b), c, code(job.c), outPtr(o), DTYPE_CODE[job.out], n, job.k, job.r, SCRATCH);
      ring.give(o, n * outSize, write);
    }
  } finally {
    // never leave a read writing into the shared memory once this tensor has given up its turn
    await pending?.catch(() => undefined);
  }
  kernelStats.tensors++;
}

/** Fills `into` from `file` bytes [from, from + len); a file that ends early is an error naming both. */
async function readExact(fh: FileHandle, into: Uint8Array, file: FileRange, from: number, len: number, name: string): Promise<void> {
  let done = 0;
  while (done < len) {
    const { bytesRead } = await fh.read(into, done, len - done, file.offset + from + done);
    if (bytesRead === 0) {
      throw new CheckpointError(
        `tensor "${name}": ${file.path} ended early (${from + done} of ${file.length} bytes read at offset ${file.offset}); was it truncated or replaced during the merge?`,
      );
    }
    done += bytesRead;
  }
}
