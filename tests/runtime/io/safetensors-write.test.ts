import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { openSafetensors, SafetensorsError } from '@/server/runtime/io/safetensors';
import { writeSafetensors, type TensorEntry } from '@/server/runtime/io/safetensors-write';
import { describeGolden, golden } from '../../helpers/golden';
import { DTYPE_SIZE } from '@/server/runtime/io/tensor';
import { scratchDir } from './st-fixtures';

const tmp = scratchDir('st-write');
afterAll(() => tmp.cleanup());

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('writeSafetensors', () => {
  it('round-trips tensors of mixed dtypes, scalars and zero-size, ordered by alignment then name', async () => {
    const entries: TensorEntry[] = [
      { name: 'b.half', dtype: 'F16', shape: [3], data: async () => bytesOf(new Uint16Array([1, 2, 3])) },
      { name: 'a.byte', dtype: 'U8', shape: [5], data: async () => new Uint8Array([1, 2, 3, 4, 5]) },
      { name: 'c.long', dtype: 'I64', shape: [1, 2], data: async () => bytesOf(new BigInt64Array([5n, -1n])) },
      { name: 'a.float', dtype: 'F32', shape: [], data: async () => bytesOf(new Float32Array([0.25])) },
      { name: 'empty', dtype: 'F32', shape: [0, 4], data: async () => new Uint8Array(0) },
    ];
    const out = tmp.file('rt.safetensors');
    await writeSafetensors(out, entries, { format: 'pt', note: 'ünïcode' });
    const f = await openSafetensors(out);
    expect(f.dataStart % 8).toBe(0);
    expect(f.metadata).toEqual({ format: 'pt', note: 'ünïcode' });
    expect([...f.tensors.keys()]).toEqual(['c.long', 'a.float', 'empty', 'b.half', 'a.byte']);
    for (const t of f.tensors.values()) expect(t.file!.offset % DTYPE_SIZE[t.dtype]).toBe(0);
    for (const e of entries) {
      const t = f.tensors.get(e.name)!;
      expect(t.dtype).toBe(e.dtype);
      expect(t.shape).toEqual(e.shape);
      expect(Buffer.from(await t.read()).equals(Buffer.from(await e.data()))).toBe(true);
    }
    const header = readFileSync(out).subarray(8, f.dataStart).toString('utf8');
    expect(header.trimEnd().endsWith('}')).toBe(true);
  });

  it('accepts an async iterable and calls data() one tensor at a time', async () => {
    let live = 0;
    let maxLive = 0;
    async function* gen(): AsyncGenerator<TensorEntry> {
      for (let i = 0; i < 5; i++) {
        yield {
          name: `t${i}`,
          dtype: 'F32',
          shape: [4],
          data: async () => {
            live++;
            maxLive = Math.max(maxLive, live);
            await new Promise((r) => setTimeout(r, 1));
            live--;
            return bytesOf(new Float32Array([i, i, i, i]));
          },
        };
      }
    }
    await writeSafetensors(tmp.file('gen.safetensors'), gen());
    expect(maxLive).toBe(1);
    expect((await openSafetensors(tmp.file('gen.safetensors'))).tensors.size).toBe(5);
  });

  it('leaves no file (and no temp file) when a tensor has the wrong size', async () => {
    const target = tmp.file('bad.safetensors');
    const entries: TensorEntry[] = [{ name: 'w', dtype: 'F32', shape: [2], data: async () => new Uint8Array(4) }];
    await expect(writeSafetensors(target, entries)).rejects.toThrow(/tensor "w": data is 4 bytes/);
    expect(readdirSync(tmp.dir).filter((n) => n.includes('bad'))).toEqual([]);
  });

  it('refuses duplicate names', async () => {
    const e: TensorEntry = { name: 'w', dtype: 'U8', shape: [1], data: async () => new Uint8Array(1) };
    await expect(writeSafetensors(tmp.file('dupe.safetensors'), [e, e])).rejects.toBeInstanceOf(SafetensorsError);
  });
});

describeGolden('rewriting tiny-sd1', () => {
  it('produces a file with identical tensors and metadata', async () => {
    const src = await openSafetensors(golden('tiny-sd1', 'model.safetensors'));
    const out = tmp.file('tiny-copy.safetensors');
    await writeSafetensors(
      out,
      [...src.tensors.values()].map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: () => t.read() })),
      src.metadata,
    );
    const copy = await openSafetensors(out);
    expect(copy.metadata).toEqual(src.metadata);
    expect(copy.tensors.size).toBe(725);
    for (const t of src.tensors.values()) {
      const c = copy.tensors.get(t.name)!;
      expect(c.shape).toEqual(t.shape);
      expect(Buffer.from(await c.read()).equals(await t.read())).toBe(true);
    }
    expect(statSync(out).size).toBeGreaterThan(21_000_000);
  });
});
