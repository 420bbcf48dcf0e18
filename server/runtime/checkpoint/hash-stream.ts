/**
 * Hashing a file from the reads something else makes of it (a merge streaming its sources), so the bytes
 * are read once: sha256 needs them in file order, so in-order chunks are hashed as they pass, chunks ahead
 * of the hash are copied aside (up to a budget), and finish() reads from disk only what nobody read or what
 * did not fit the budget (the header, tensors a merge skips).
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { defaultHashCacheFile, knownSha256, recordSha256, shareHash } from './hash';
import { hashSink } from './hash-worker';

/** Positioned read of `into.length` bytes at `position`; injectable so tests can count what is read. */
export type RangeReader = (file: string, position: number, into: Uint8Array) => Promise<void>;

const defaultBudget = () => Number(process.env.LOOM_HASH_BUFFER_MB ?? 256) * (1 << 20);

export class StreamingHash {
  private readonly hash = hashSink();
  /** first byte not yet hashed */
  private next = 0;
  /** copies of chunks read ahead of `next`, by offset */
  private readonly ahead = new Map<number, Uint8Array>();
  private held = 0;
  /** bytes finish() had to read itself */
  fillBytes = 0;

  constructor(
    readonly file: string,
    readonly size: number,
    private readonly budget = defaultBudget(),
  ) {}

  /**
   * Hashes a .safetensors header up front: the loader read it before anyone tapped the file, and without it every
   * chunk the merge reads would sit ahead of the hash (copied aside, then over the budget read again).
   */
  async primeHeader(read: RangeReader = readAt): Promise<void> {
    if (this.next !== 0 || this.size < 8) return;
    const prefix = new Uint8Array(8);
    await read(this.file, 0, prefix);
    const n = Number(new DataView(prefix.buffer).getBigUint64(0, true));
    if (!(n > 0 && 8 + n <= this.size && n <= 100_000_000)) return; // not safetensors: finish() reads it in order
    const header = new Uint8Array(8 + n);
    header.set(prefix);
    await read(this.file, 8, header.subarray(8));
    this.fillBytes += header.byteLength;
    this.observe(0, header);
  }

  /** Someone read `bytes` at absolute `offset`; valid only during this call. */
  observe(offset: number, bytes: Uint8Array): void {
    const end = offset + bytes.byteLength;
    if (end <= this.next || bytes.byteLength === 0) return;
    if (offset <= this.next) {
      this.feed(bytes.subarray(this.next - offset));
      this.drain();
      return;
    }
    if (this.ahead.has(offset) || this.held + bytes.byteLength > this.budget) return; // finish() reads it again
    this.ahead.set(offset, Uint8Array.from(bytes));
    this.held += bytes.byteLength;
  }

  /** Reads whatever was not seen in order (or kept), and returns the hex digest. */
  async finish(read: RangeReader = readAt): Promise<string> {
    this.drain();
    while (this.next < this.size) {
      // up to the next kept chunk (or the end), in pieces of bounded size
      let until = this.size;
      for (const at of this.ahead.keys()) if (at > this.next && at < until) until = at;
      const n = Math.min(until - this.next, 16 << 20);
      const buf = new Uint8Array(n);
      await read(this.file, this.next, buf);
      this.fillBytes += n;
      this.feed(buf);
      this.drain();
    }
    return this.hash.digest();
  }

  private feed(bytes: Uint8Array): void {
    this.hash.update(bytes);
    this.next += bytes.byteLength;
  }

  /** Hashes kept chunks that now start at or before `next`, dropping those wholly behind it. */
  private drain(): void {
    for (let moved = true; moved; ) {
      moved = false;
      for (const [at, bytes] of this.ahead) {
        if (at > this.next) continue;
        this.ahead.delete(at);
        this.held -= bytes.byteLength;
        if (at + bytes.byteLength > this.next) this.feed(bytes.subarray(this.next - at));
        moved = true;
      }
    }
  }
}

/** Hashes of a set of source files taken from their reads; files already hashed (or being hashed) are not tapped. */
export class SourceHashes {
  private readonly taps = new Map<string, StreamingHash>();
  private readonly results = new Map<string, Promise<string>>();
  private readonly settle = new Map<string, (work: Promise<string>) => void>();

  private constructor(private readonly read: RangeReader) {}

  static async start(files: readonly string[], read: RangeReader = readAt, cacheFile = defaultHashCacheFile()): Promise<SourceHashes> {
    const s = new SourceHashes(read);
    for (const f of files) {
      const abs = path.resolve(f);
      if (s.results.has(abs)) continue;
      const known = await knownSha256(abs, cacheFile);
      if (known !== undefined) {
        s.results.set(abs, Promise.resolve(known));
        continue;
      }
      const st = await stat(abs);
      const tap = new StreamingHash(abs, st.size);
      await tap.primeHeader(read);
      s.taps.set(abs, tap);
      // shared while streaming, so a background hash of the same file waits for this one
      const work = new Promise<string>((resolve, reject) => s.settle.set(abs, (w) => w.then(resolve, reject)));
      const shared = shareHash(abs, st, cacheFile, work);
      shared.catch(() => undefined); // reported by finish()
      s.results.set(abs, shared);
    }
    return s;
  }

  /** Whether any source still needs its bytes seen. */
  get tapping(): boolean {
    return this.taps.size > 0;
  }

  /** Bytes of `file` at absolute `offset` were read (valid only during this call). */
  observe = (file: string, offset: number, bytes: Uint8Array): void => {
    this.taps.get(file)?.observe(offset, bytes) ?? this.taps.get(path.resolve(file))?.observe(offset, bytes);
  };

  /** The sha256 of each file, reading only what the observed reads did not cover. */
  async finish(): Promise<Map<string, string>> {
    for (const [abs, tap] of this.taps) this.settle.get(abs)?.(tap.finish(this.read));
    const out = new Map<string, string>();
    for (const [abs, p] of this.results) out.set(abs, await p);
    return out;
  }

  /** Gives up (the merge failed): waiters on these hashes get the error and hash for themselves later. */
  abandon(err: unknown): void {
    for (const settle of this.settle.values()) settle(Promise.reject(err));
  }

  /** Bytes finish() read itself, per file (the header and anything the merge skipped). */
  fillBytes(): Map<string, number> {
    return new Map([...this.taps].map(([f, t]) => [f, t.fillBytes]));
  }

  sha256Of(file: string): Promise<string> | undefined {
    return this.results.get(path.resolve(file));
  }
}

/** The sha256 of a file as it is written (a writer's `observe`), cached under the file's identity once written. */
export class WrittenHash {
  private readonly hash = hashSink();
  seen = 0;

  observe = (chunk: Uint8Array): void => {
    this.hash.update(chunk);
    this.seen += chunk.byteLength;
  };

  /** Caches the hash for `file` unless its size shows it is not what was hashed; returns the hash. */
  async record(file: string, cacheFile = defaultHashCacheFile()): Promise<string | undefined> {
    const st = await stat(file);
    const sha256 = await this.hash.digest();
    if (st.size !== this.seen) return undefined;
    await recordSha256(file, st, sha256, cacheFile);
    return sha256;
  }
}

export const readAt: RangeReader = async (file, position, into) => {
  const fh = await open(file, 'r');
  try {
    let done = 0;
    while (done < into.byteLength) {
      const { bytesRead } = await fh.read(into, done, into.byteLength - done, position + done);
      if (bytesRead === 0) throw new Error(`${file} ended at ${position + done} while hashing (changed during the merge?)`);
      done += bytesRead;
    }
  } finally {
    await fh.close();
  }
};
