import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { scratchDir } from '../io/st-fixtures';
import { unet, vae, writeTiny } from './synthetic';

// every positioned read through node:fs/promises handles, counted per byte of each file
const reads = new Map<string, Uint16Array>();
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = async (file, ...rest) => {
    const fh = await real.open(file, ...rest);
    const abs = path.resolve(String(file));
    const read = fh.read.bind(fh);
    // biome-ignore lint/suspicious/noExplicitAny: the spy forwards whichever overload the caller used
    (fh as any).read = async (...args: any[]) => {
      const r = await (read as (...a: unknown[]) => Promise<{ bytesRead: number }>)(...args);
      const position = typeof args[3] === 'number' ? args[3] : undefined;
      const counts = reads.get(abs);
      if (counts && position !== undefined) for (let i = position; i < position + r.bytesRead; i++) counts[i]++;
      return r;
    };
    return fh;
  };
  return { ...real, open, default: { ...real, open } };
});

const { mergeCheckpointFiles } = await import('@/server/runtime/checkpoint/merge');
const { StreamingHash } = await import('@/server/runtime/checkpoint/hash-stream');
const { cachedSha256, sha256File, knownSha256 } = await import('@/server/runtime/checkpoint/hash');
const { SourceHashes } = await import('@/server/runtime/checkpoint/hash-stream');
const { openSafetensors } = await import('@/server/runtime/io/safetensors');

const tmp = scratchDir('merge-hashing');
afterAll(() => tmp.cleanup());
process.env.LOOM_CACHE_DIR = tmp.file('hash-cache');
// nothing may be kept aside: an in-order merge must hash every chunk as it passes (the header is hashed first)
process.env.LOOM_HASH_BUFFER_MB = '0';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const clip = { 'cond_stage_model.transformer.text_model.final_layer_norm.weight': [40000] };

function watch(file: string): Uint16Array {
  const counts = new Uint16Array(statSync(file).size);
  reads.set(path.resolve(file), counts);
  return counts;
}

/** The data section's bytes read other than exactly once, and the header's most reads of one byte. */
function readProfile(file: string, counts: Uint16Array): { dataNotOnce: number; headerMax: number } {
  const dataStart = 8 + Number(readFileSync(file).readBigUInt64LE(0));
  let dataNotOnce = 0;
  for (let i = dataStart; i < counts.length; i++) if (counts[i] !== 1) dataNotOnce++;
  return { dataNotOnce, headerMax: Math.max(...counts.subarray(0, dataStart)) };
}

beforeEach(() => reads.clear());

describe('StreamingHash', () => {
  const bytes = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31 + (i >> 9)) & 0xff);
  const chunks = Array.from({ length: 64 }, (_, i) => i * (1 << 14));
  const counting = () => {
    let n = 0;
    const read = async (_f: string, at: number, into: Uint8Array) => {
      into.set(bytes.subarray(at, at + into.byteLength));
      n += into.byteLength;
    };
    return { read, count: () => n };
  };

  it('in order: the digest of the bytes, nothing read again', async () => {
    const h = new StreamingHash('x', bytes.length);
    for (const at of chunks) h.observe(at, bytes.subarray(at, at + (1 << 14)));
    const r = counting();
    expect(await h.finish(r.read)).toBe(sha(bytes));
    expect(r.count()).toBe(0);
  });

  it('out of order within the budget: kept aside, nothing read again', async () => {
    const h = new StreamingHash('x', bytes.length, 2 << 20);
    for (const at of [...chunks].reverse()) h.observe(at, bytes.subarray(at, at + (1 << 14)));
    const r = counting();
    expect(await h.finish(r.read)).toBe(sha(bytes));
    expect(r.count()).toBe(0);
  });

  it('over the budget, with gaps and overlaps: still the right digest, reading only what was not kept', async () => {
    const h = new StreamingHash('x', bytes.length, 1 << 16);
    for (const at of [...chunks].reverse()) if (at % (1 << 16) !== 0) h.observe(at - 100, bytes.subarray(at - 100, at + (1 << 14)));
    const r = counting();
    expect(await h.finish(r.read)).toBe(sha(bytes));
    expect(r.count()).toBeGreaterThan(0);
    expect(r.count()).toBeLessThan(bytes.length);
  });
});

describe('merge hashes its sources from its own reads', () => {
  for (const kernel of [true, false]) {
    it(`${kernel ? 'kernel' : 'JS'} path: hashes equal sha256File, each source data byte read once`, async () => {
      const a = await writeTiny(tmp.file(`a-${kernel}.safetensors`), { ...unet(), ...vae, ...clip }, (_n, i) => (i % 13) / 7);
      const b = await writeTiny(
        tmp.file(`b-${kernel}.safetensors`),
        { ...unet(), ...vae, ...clip, 'first_stage_model.only_b': [999] },
        (_n, i) => (i % 5) / 3,
      );
      const [ca, cb] = [watch(a), watch(b)];
      const out = tmp.file(`m-${kernel}.safetensors`);
      await mergeCheckpointFiles({ a, b, mode: 'weighted', ratios: { base: 0.4 }, out, dtype: 'F16', kernel });
      reads.clear();
      const m = await openSafetensors(out);
      expect(JSON.parse(m.metadata['latentloom.merge.sha256'])).toEqual({ a: await sha256File(a), b: await sha256File(b) });
      // A is read in file order: with nothing kept aside, every data byte is still read exactly once
      const pa = readProfile(a, ca);
      expect(pa.dataNotOnce, a).toBe(0);
      // the format sniff and the loader read the header, hashing reads it once more (a few KB)
      expect(pa.headerMax, a).toBeLessThanOrEqual(3);
      // B has a tensor A lacks (never read by the merge): with no room to keep what follows the gap, that part is
      // read again at the end; never more than twice
      expect(Math.max(...cb.subarray(8 + Number(readFileSync(b).readBigUInt64LE(0)))), b).toBeLessThanOrEqual(2);
      // cached for the library: same identity, no read needed
      expect(await knownSha256(a)).toBe(await sha256File(a));
    });
  }

  it('ratio 0 reads none of B for the merge: hashing reads B once, and the output is hashed as written', async () => {
    const a = await writeTiny(tmp.file('za.safetensors'), { ...unet(), ...vae, ...clip }, () => 1);
    const b = await writeTiny(tmp.file('zb.safetensors'), { ...unet(), ...vae, ...clip }, () => 2);
    const cb = watch(b);
    const out = tmp.file('z.safetensors');
    await mergeCheckpointFiles({ a, b, mode: 'weighted', ratios: { base: 0 }, out, dtype: 'F16' });
    expect(readProfile(b, cb).dataNotOnce).toBe(0);
    // second merge of the same sources: hashes come from the cache, so the header is final and the output hashed
    const out2 = tmp.file('z2.safetensors');
    await mergeCheckpointFiles({ a, b, mode: 'weighted', ratios: { base: 0 }, out: out2, dtype: 'F16' });
    expect(await knownSha256(out2)).toBe(sha(readFileSync(out2)));
  });

  it('a merge that fails leaves no hash behind and the error is the merge error', async () => {
    const a = await writeTiny(tmp.file('fa.safetensors'), { ...unet(), ...vae, ...clip });
    const b = await writeTiny(tmp.file('fb.safetensors'), { ...unet(), ...vae, ...clip });
    await expect(
      mergeCheckpointFiles({ a, b, mode: 'weighted', ratios: { base: 0.5 }, out: tmp.file('no/such/dir/x.safetensors'), dtype: 'F16' }),
    ).rejects.toThrow(/ENOENT/);
    expect(await knownSha256(a)).toBeUndefined();
  });
});

describe('one hash per file identity', () => {
  it('a library hash asked for while a merge streams the file waits for that hash instead of reading the file', async () => {
    const f = await writeTiny(tmp.file('shared.safetensors'), { ...unet(), ...vae, ...clip }, (_n, i) => i % 7);
    const counts = watch(f);
    const taps = await SourceHashes.start([f]);
    expect(taps.tapping).toBe(true);
    const library = cachedSha256(f);
    // nothing observed: finish() reads the whole file once, and the library call gets that result
    const [sums, lib] = await Promise.all([taps.finish(), library]);
    expect(lib).toBe(sums.get(path.resolve(f)));
    expect(lib).toBe(sha(readFileSync(f)));
    expect(Math.max(...counts)).toBe(1);
  });
});
