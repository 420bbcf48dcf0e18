/**
 * Finding 7: a 219 KiB .ckpt of stride-0 views loaded as a full SD1.5 model (121 s, 4.1 GB written);
 * a 256 KiB pickle integer took 60 s to parse (quadratic LONG4) and cancel could not stop it.
 * Reader-level: these archives are what a malicious file in models/ would hand the loader.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openCheckpointFile } from '@/server/runtime/io/checkpoint-file';
import { CheckpointFormatError } from '@/server/runtime/io/ckpt/errors';
import { unpickle, unpickleAsync } from '@/server/runtime/io/ckpt/pickle';
import { op, storedZip, tensorPickle } from '../runtime/io/ckpt-fixtures';
import { scratchDir } from '../runtime/io/st-fixtures';

const tmp = scratchDir('sec-ckpt');
afterAll(() => tmp.cleanup());

const f32 = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);
type Spec = Parameters<typeof tensorPickle>[0][number];

function archive(name: string, specs: Spec[], storages: [string, Uint8Array][]): string {
  const file = tmp.file(name);
  writeFileSync(
    file,
    storedZip([['archive/data.pkl', tensorPickle(specs)], ...storages.map(([k, d]): [string, Uint8Array] => [`archive/data/${k}`, d])]),
  );
  return file;
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e as Error,
  );

describe('views larger than their storage', () => {
  it('refuses a tiny archive of stride-0 views that would expand into a full model, at once', async () => {
    // 700 tensors of 1280x1280 f32 (4.6 GB) over one 4-byte storage: about what the reported file held
    const specs = Array.from(
      { length: 700 },
      (_, i): Spec => ({ name: `model.w${i}`, storage: 'FloatStorage', key: '0', numel: 1, offset: 0, shape: [1280, 1280], stride: [0, 0] }),
    );
    const file = archive('stride0.ckpt', specs, [['0', f32(1)]]);
    const t0 = performance.now();
    const e = await rejection(openCheckpointFile(file));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(e).toBeInstanceOf(CheckpointFormatError);
    expect(e.message).toMatch(/tensor "model\.w\d+": a 1638400-element view of a 1-element storage \(stride \[0,0\]\).*LOOM_CKPT_MAX_EXPANDED_BYTES/);
  });

  it('still reads a small broadcast view (a tiny file may carry one) as its full copy', async () => {
    const file = archive(
      'broadcast.ckpt',
      [{ name: 'rows', storage: 'FloatStorage', key: '0', numel: 3, offset: 0, shape: [2, 3], stride: [0, 1] }],
      [['0', f32(1, 2, 3)]],
    );
    const t = (await openCheckpointFile(file)).tensors.get('rows')!;
    expect([...new Float32Array(new Uint8Array(await t.read()).buffer)]).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it('refuses one storage fanned out to many full views (tied weights, twice, are fine)', async () => {
    const storage = f32(...new Array(65536).fill(0.5)); // 256 KiB
    const views = (n: number) =>
      Array.from(
        { length: n },
        (_, i): Spec => ({ name: `w${i}`, storage: 'FloatStorage', key: '0', numel: 65536, offset: 0, shape: [256, 256], stride: [256, 1] }),
      );
    const e = await rejection(
      openCheckpointFile(archive('fanout.ckpt', views(200), [['0', storage]]), { limits: { maxExpandedBytes: 1024 * 1024 } }),
    );
    expect(e.message).toMatch(/more than 2x the file's size .* shared by too many views/);
    const tied = await openCheckpointFile(archive('tied.ckpt', views(2), [['0', storage]]), { limits: { maxExpandedBytes: 1024 * 1024 } });
    expect(tied.tensors.size).toBe(2);
  });
});

describe('the pickle reader', () => {
  const long4 = (bytes: Uint8Array) => {
    const h = Buffer.alloc(5);
    h[0] = 0x8b;
    h.writeUInt32LE(bytes.length, 1);
    return Buffer.concat([op.proto(), h, Buffer.from(bytes), op.stop()]);
  };

  it('parses a 256 KiB LONG4 integer in linear time (it took 60 s)', () => {
    const raw = new Uint8Array(256 * 1024).fill(0x5a);
    const t0 = performance.now();
    const v = unpickle(long4(raw), 'big.pkl');
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(typeof v).toBe('bigint');
    expect((v as bigint).toString(16)).toBe('5a'.repeat(raw.length));
  });

  it('decodes LONG1/LONG4 as two’s complement little-endian', () => {
    const long1 = (...b: number[]) => unpickle(Buffer.concat([op.proto(), Buffer.from([0x8a, b.length, ...b]), op.stop()]), 't');
    expect(long1()).toBe(0);
    expect(long1(0xff)).toBe(-1);
    expect(long1(0x00, 0x80)).toBe(-32768); // pickle.encode_long(-32768)
    expect(long1(0x00, 0x80, 0x00)).toBe(32768);
    expect(long1(0x00, 0x80, 0xff)).toBe(-32768);
    expect(long1(0, 0, 0, 0, 0, 0, 0x20, 0)).toBe(2n ** 53n);
    expect(long1(0, 0, 0, 0, 0, 0, 0, 0, 0x80)).toBe(-(2n ** 71n));
    expect(unpickle(long4(Uint8Array.from([0x39, 0x30])), 't')).toBe(12345);
  });

  it('stops a pickle that expands past its byte budget', () => {
    const h = Buffer.alloc(5);
    h[0] = 0x42; // BINBYTES
    h.writeUInt32LE(2 * 1024 * 1024, 1);
    const pkl = Buffer.concat([op.proto(), h, Buffer.alloc(2 * 1024 * 1024), op.stop()]);
    expect(() => unpickle(pkl, 'b.pkl', { maxBytes: 1024 * 1024 })).toThrow(/expands past the reader's 1048576-byte budget/);
    expect(unpickle(pkl, 'b.pkl', { maxBytes: 4 * 1024 * 1024 })).toBeInstanceOf(Uint8Array);
  });

  it('refuses a dict key built from a tuple shared 2^30 ways (no exponential stringify)', () => {
    const parts: Buffer[] = [op.proto(), op.emptyDict(), Buffer.from([0x4b, 1, 0x85, 0x71, 0, 0x30])]; // (1,) -> memo 0
    for (let i = 1; i <= 30; i++) parts.push(Buffer.from([0x68, i - 1, 0x68, i - 1, 0x86, 0x71, i, 0x30])); // (t, t) -> memo i
    parts.push(Buffer.from([0x68, 30, 0x4b, 1]), op.setitem(), op.stop()); // {t30: 1}
    const t0 = performance.now();
    expect(() => unpickle(Buffer.concat(parts), 'k.pkl')).toThrow(CheckpointFormatError);
    expect(() => unpickle(Buffer.concat(parts), 'k.pkl')).toThrow(/dict key nested too deeply/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('summarises a million-deep nested list without overflowing the stack', async () => {
    const n = 1_000_000;
    const specs: Spec[] = [{ name: 'w', storage: 'FloatStorage', key: '0', numel: 1, offset: 0, shape: [1], stride: [1] }];
    const tensors = tensorPickle(specs);
    // {'w': tensor, 'deep': [[[...]]]}: the tensor pickle minus its SETITEMS/STOP, then the deep list, then both
    const head = tensors.subarray(0, tensors.length - 2);
    const deep = Buffer.concat([op.str('deep'), Buffer.alloc(n, 0x5d), Buffer.alloc(n - 1, 0x61)]); // n EMPTY_LIST, n-1 APPEND
    const file = tmp.file('deep.ckpt');
    writeFileSync(
      file,
      storedZip([
        ['archive/data.pkl', Buffer.concat([head, deep, op.setitems(), op.stop()])],
        ['archive/data/0', f32(7)],
      ]),
    );
    const c = await openCheckpointFile(file);
    expect(c.tensors.size).toBe(1);
    expect(c.extras.deep).toEqual({ kind: 'list', items: 1, tensors: 0 });
  });
});

describe('cancel', () => {
  const bigPickle = () => Buffer.concat([op.proto(), op.mark(), Buffer.alloc(600_000, 0x4e), Buffer.from('l'), op.stop()]); // MARK, 600k NONE, LIST

  it('unpickleAsync yields between slices and stops when the signal aborts', async () => {
    const ac = new AbortController();
    setImmediate(() => ac.abort());
    const e = await rejection(unpickleAsync(bigPickle(), 'slow.pkl', { signal: ac.signal }));
    expect(e.name).toBe('AbortError');
    expect(await unpickleAsync(bigPickle(), 'slow.pkl')).toHaveLength(600_000);
  });

  it('an aborted load refuses to open and refuses later tensor reads', async () => {
    const file = archive(
      'cancel.ckpt',
      [{ name: 'w', storage: 'FloatStorage', key: '0', numel: 2, offset: 0, shape: [2], stride: [1] }],
      [['0', f32(1, 2)]],
    );
    expect((await rejection(openCheckpointFile(file, { signal: AbortSignal.abort() }))).name).toBe('AbortError');
    const ac = new AbortController();
    const c = await openCheckpointFile(file, { signal: ac.signal });
    ac.abort();
    expect((await rejection(c.tensors.get('w')!.read())).name).toBe('AbortError');
  });

  it('refuses a data.pkl over LOOM_CKPT_MAX_PICKLE_BYTES before reading it', async () => {
    const file = archive(
      'bigpkl.ckpt',
      [{ name: 'w', storage: 'FloatStorage', key: '0', numel: 1, offset: 0, shape: [1], stride: [1] }],
      [['0', f32(1)]],
    );
    expect((await rejection(openCheckpointFile(file, { limits: { maxPickleBytes: 64 } }))).message).toMatch(
      /data\.pkl is \d+ bytes, over the 64-byte limit \(LOOM_CKPT_MAX_PICKLE_BYTES\)/,
    );
  });
});
