import { readdirSync, readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { openSafetensors } from '@/server/runtime/io/safetensors';
import { buildHeader, orderForWriting, writeSafetensors, type TensorEntry } from '@/server/runtime/io/safetensors-write';
import { scratchDir } from './st-fixtures';

// the writer's file handle, instrumented: every write lands after a delay (so production can run ahead of
// the disk), is counted, and may be made to fail; datasync calls are counted and may fail too
const disk = vi.hoisted(() => ({
  delayMs: 0,
  written: 0,
  writes: 0,
  failWrite: 0, // the n-th write (1-based) fails with EIO; 0: none
  datasyncs: 0,
  failDatasync: false,
  reset() {
    Object.assign(this, { delayMs: 0, written: 0, writes: 0, failWrite: 0, datasyncs: 0, failDatasync: false });
  },
}));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const eio = (what: string) => Object.assign(new Error(`EIO: i/o error, ${what}`), { code: 'EIO' });
  const open = async (...args: Parameters<typeof fs.open>): Promise<FileHandle> => {
    const fh = await fs.open(...args);
    if (args[1] !== 'wx') return fh;
    const write = fh.write.bind(fh) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
    const datasync = fh.datasync.bind(fh);
    Object.assign(fh, {
      write: async (...a: unknown[]) => {
        const n = ++disk.writes;
        if (disk.delayMs) await new Promise((r) => setTimeout(r, disk.delayMs));
        if (n === disk.failWrite) throw eio('write');
        const r = await write(...a);
        disk.written += r.bytesWritten;
        return r;
      },
      datasync: async () => {
        disk.datasyncs++;
        if (disk.failDatasync) throw eio('fdatasync');
        return datasync();
      },
    });
    return fh;
  };
  return { ...fs, open, default: { ...fs, open } };
});

const tmp = scratchDir('st-pipeline');
afterAll(() => tmp.cleanup());
afterEach(() => disk.reset());

const SIZE = 1024;
const tensorsOf = (count: number, onData?: (i: number) => void): TensorEntry[] =>
  Array.from({ length: count }, (_, i) => ({
    name: `t${String(i).padStart(2, '0')}`,
    dtype: 'U8' as const,
    shape: [SIZE],
    data: async () => {
      onData?.(i);
      return new Uint8Array(SIZE).fill(i + 1);
    },
  }));
const headerBytes = (entries: TensorEntry[]) => buildHeader(orderForWriting(entries), {}).length;
const leftovers = (tag: string) => readdirSync(tmp.dir).filter((n) => n.includes(tag));

describe('writeSafetensors pipelining', () => {
  for (const budget of [3 * SIZE, 0]) {
    it(`produces at most ${budget ? 'the in-flight budget' : 'one tensor'} ahead of the writes (inFlightBytes ${budget})`, async () => {
      disk.delayMs = 3;
      // bytes of earlier tensors (and header) not yet in the file when data(i) is called
      const ahead: number[] = [];
      let live = 0;
      let maxLive = 0;
      const entries = tensorsOf(12, (i) => {
        ahead.push(header + i * SIZE - disk.written);
        maxLive = Math.max(maxLive, ++live);
        queueMicrotask(() => live--);
      });
      const header = headerBytes(entries);
      const out = tmp.file(`budget${budget}.safetensors`);
      await writeSafetensors(out, entries, {}, { inFlightBytes: budget });
      expect(maxLive).toBe(1);
      // with a budget of 3 tensors, two wait for the disk when the third is made; without one, one at most
      const depth = budget ? budget - SIZE : SIZE;
      for (const a of ahead.slice(1)) expect(a).toBeLessThanOrEqual(depth);
      expect(Math.max(...ahead.slice(1))).toBe(depth);
      const f = await openSafetensors(out);
      for (const [i, t] of [...f.tensors.values()].entries()) expect((await t.read()).every((b) => b === i + 1)).toBe(true);
    });
  }

  it('a write failing mid-way stops production and leaves no file (and no temp file)', async () => {
    disk.delayMs = 1;
    disk.failWrite = 4; // header, t00, t01, then t02 fails
    const made: number[] = [];
    const entries = tensorsOf(40, (i) => made.push(i));
    await expect(writeSafetensors(tmp.file('midway.safetensors'), entries, {}, { inFlightBytes: 4 * SIZE })).rejects.toThrow(
      /EIO: i\/o error, write/,
    );
    expect(leftovers('midway')).toEqual([]);
    expect(made.length).toBeLessThan(10);
  });

  it('a data() failing after earlier writes leaves no file', async () => {
    const entries = tensorsOf(6);
    entries[4].data = async () => {
      throw new Error('boom');
    };
    await expect(writeSafetensors(tmp.file('databoom.safetensors'), entries)).rejects.toThrow('boom');
    expect(leftovers('databoom')).toEqual([]);
  });

  it('starts writeback every syncEveryBytes, and a failed writeback fails the write', async () => {
    const entries = tensorsOf(10);
    await writeSafetensors(tmp.file('wb.safetensors'), entries, {}, { syncEveryBytes: 3 * SIZE });
    expect(disk.datasyncs).toBeGreaterThanOrEqual(1);
    expect((await openSafetensors(tmp.file('wb.safetensors'))).tensors.size).toBe(10);

    disk.failDatasync = true;
    await expect(writeSafetensors(tmp.file('wbfail.safetensors'), entries, {}, { syncEveryBytes: 3 * SIZE })).rejects.toThrow(/fdatasync/);
    expect(leftovers('wbfail')).toEqual([]);
  });
});

describe('writeSafetensors stream() entries', () => {
  /** An entry streamed in `chunk`-byte pieces through two recycled buffers, each reused only once its write is done. */
  const streamed = (name: string, length: number, chunk: number, value: (i: number) => number): TensorEntry => ({
    name,
    dtype: 'U8',
    shape: [length],
    data: async () => Uint8Array.from({ length }, (_, i) => value(i)),
    stream: async (write) => {
      const bufs = [new Uint8Array(chunk), new Uint8Array(chunk)];
      const busy: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
      for (let at = 0, k = 0; at < length; at += chunk, k ^= 1) {
        await busy[k];
        const n = Math.min(chunk, length - at);
        for (let i = 0; i < n; i++) bufs[k][i] = value(at + i);
        busy[k] = write(bufs[k].subarray(0, n));
      }
    },
  });

  it('writes the chunks in order between data() entries; data() is not called when stream() is given', async () => {
    disk.delayMs = 1;
    const data = vi.fn(async () => new Uint8Array(0));
    const entries = [tensorsOf(1)[0], { ...streamed('t01.s', 5000, 384, (i) => (i * 7) & 255), data }, ...tensorsOf(3).slice(1)];
    const out = tmp.file('stream.safetensors');
    const r = await writeSafetensors(out, entries);
    expect(data).not.toHaveBeenCalled();
    const f = await openSafetensors(out);
    expect([...f.tensors.keys()]).toEqual(['t00', 't01', 't01.s', 't02']);
    expect(Buffer.from(await f.tensors.get('t01.s')!.read()).equals(Buffer.from(Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 255)))).toBe(
      true,
    );
    expect((await f.tensors.get('t02')!.read()).every((b) => b === 3)).toBe(true);
    expect(r.bytes).toBe(readFileSync(out).length);
  });

  it('a stream of the wrong length is an error and leaves no file', async () => {
    const short = { ...streamed('s', 100, 30, () => 1), shape: [101] };
    await expect(writeSafetensors(tmp.file('short.safetensors'), [short])).rejects.toThrow(/tensor "s": data is 100 bytes, U8 \[101\] needs 101/);
    const long = { ...streamed('s', 100, 30, () => 1), shape: [99] };
    await expect(writeSafetensors(tmp.file('long.safetensors'), [long])).rejects.toThrow(
      /tensor "s": data is at least 100 bytes, U8 \[99\] needs 99/,
    );
    expect([...leftovers('short'), ...leftovers('long')]).toEqual([]);
  });

  it('a write failing under a stream rejects its chunk, and the file is not left behind', async () => {
    disk.failWrite = 3;
    const seen: unknown[] = [];
    const entry = streamed('s', 1000, 100, () => 2);
    const stream = entry.stream!;
    entry.stream = (write) =>
      stream((chunk) => {
        const p = write(chunk);
        p.catch((err) => seen.push(err));
        return p;
      });
    await expect(writeSafetensors(tmp.file('sfail.safetensors'), [entry])).rejects.toThrow(/EIO/);
    expect(seen.length).toBeGreaterThan(0);
    expect(leftovers('sfail')).toEqual([]);
  });
});
