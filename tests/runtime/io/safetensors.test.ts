import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, statSync } from 'node:fs';
import { openSafetensors, SafetensorsError } from '@/server/runtime/io/safetensors';
import { toFloat32 } from '@/server/runtime/io/dtype';
import { describeGolden, golden } from '../../helpers/golden';
import { scratchDir, writeRaw } from './st-fixtures';

const tmp = scratchDir('st-read');
afterAll(() => tmp.cleanup());
let counter = 0;
const file = (header: string | Uint8Array, data?: Uint8Array, declared?: bigint) =>
  writeRaw(tmp.file(`case${counter++}.safetensors`), header, data, declared);

async function refused(path: string, pattern: RegExp): Promise<void> {
  const err = await openSafetensors(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SafetensorsError);
  expect((err as Error).message).toContain(path);
  expect((err as Error).message).toMatch(pattern);
}

describeGolden('tiny-sd1/model.safetensors', () => {
  it('reads the header: 725 tensors, metadata, int64 ids and 0-d scalars', async () => {
    const path = golden('tiny-sd1', 'model.safetensors');
    const f = await openSafetensors(path);
    expect(f.tensors.size).toBe(725);
    expect(f.metadata.format).toBe('pt');
    expect(JSON.parse(f.metadata.tiny_sd_config)).toBeTypeOf('object');
    expect(f.dataStart).toBe(8 + f.headerLength);
    const ids = f.tensors.get('cond_stage_model.transformer.text_model.embeddings.position_ids')!;
    expect(ids.dtype).toBe('I64');
    expect(ids.shape).toEqual([1, 77]);
    expect(Array.from(toFloat32(await ids.read(), 'I64'))).toEqual(Array.from({ length: 77 }, (_, i) => i));
    const decay = f.tensors.get('model_ema.decay')!;
    expect(decay.shape).toEqual([]);
    expect(decay.dtype).toBe('F16');
    expect((await decay.read()).length).toBe(2);
    const floats = [...f.tensors.values()].filter((t) => t.dtype === 'F16').length;
    expect(floats).toBe(723);
    // ranges tile the data section exactly
    let end = f.dataStart;
    for (const t of f.tensors.values()) {
      expect(t.file!.offset).toBe(end);
      end += t.file!.length;
    }
    expect(end).toBe(statSync(path).size);
  });

  it('read() returns exactly the tensor range', async () => {
    const f = await openSafetensors(golden('tiny-sd1', 'model.safetensors'));
    const w = f.tensors.get('model.diffusion_model.input_blocks.0.0.weight')!;
    expect(w.shape).toEqual([32, 4, 3, 3]);
    const bytes = await w.read();
    expect(bytes.length).toBe(32 * 4 * 9 * 2);
    const v = toFloat32(bytes, 'F16');
    expect(v.every(Number.isFinite)).toBe(true);
    expect(v.some((x) => x !== 0)).toBe(true);
  });
});

const ok = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
const eight = new Uint8Array(8);

describe('safetensors reference cases', () => {
  it('accepts a minimal file and header padding with spaces', async () => {
    const f = await openSafetensors(file(ok + '   ', eight));
    expect([...f.tensors.keys()]).toEqual(['a']);
    expect(f.tensors.get('a')!.file).toEqual({ path: f.path, offset: 8 + ok.length + 3, length: 8 });
  });
  it('accepts an empty header', async () => {
    expect((await openSafetensors(file('{}'))).tensors.size).toBe(0);
  });
  it('accepts zero-sized and scalar tensors', async () => {
    const h =
      '{"z":{"dtype":"F32","shape":[0,5],"data_offsets":[0,0]},"s":{"dtype":"I32","shape":[],"data_offsets":[0,4]},"z2":{"dtype":"F16","shape":[3,0],"data_offsets":[4,4]}}';
    const f = await openSafetensors(file(h, new Uint8Array([7, 0, 0, 0])));
    expect(f.tensors.get('z')!.shape).toEqual([0, 5]);
    expect((await f.tensors.get('z')!.read()).length).toBe(0);
    expect(Array.from(toFloat32(await f.tensors.get('s')!.read(), 'I32'))).toEqual([7]);
  });
  it('accepts tensors listed out of offset order', async () => {
    const h = '{"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    const f = await openSafetensors(file(h, new Uint8Array([1, 2])));
    expect(Array.from(await f.tensors.get('b')!.read())).toEqual([2]);
  });
  it('refuses files shorter than 8 bytes', async () => {
    const p = tmp.file('short.safetensors');
    (await import('node:fs')).writeFileSync(p, Buffer.from([1, 0, 0]));
    await refused(p, /shorter than the 8-byte/);
  });
  it('refuses a header length over 100 MB', async () => {
    await refused(file('{}', undefined, 100_000_001n), /exceeds the 100000000-byte limit/);
    await refused(file('{}', undefined, 0xffff_ffff_ffff_ffffn), /exceeds/);
  });
  it('refuses a header length past the end of the file', async () => {
    await refused(file('{}', undefined, 1000n), /runs past the end/);
  });
  it('refuses invalid UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('{"a'), Buffer.from([0xff, 0xfe]), Buffer.from('":{}}')]);
    await refused(file(bytes), /not valid UTF-8/);
  });
  it('refuses invalid JSON and non-object headers', async () => {
    await refused(file('{"a":'), /not valid JSON/);
    await refused(file('[]'), /not a JSON object/);
    await refused(file('null'), /not a JSON object/);
  });
  it('refuses duplicate keys, also inside __metadata__', async () => {
    const h = '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    await refused(file(h, new Uint8Array(1)), /duplicate key "a"/);
    const m = '{"__metadata__":{"k":"1","k":"2"}}';
    await refused(file(m), /duplicate key "k" in "__metadata__"/);
    const escaped = '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"\\u0061":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    await refused(file(escaped, new Uint8Array(1)), /duplicate key "a"/);
  });
  it('refuses non-string metadata values', async () => {
    await refused(file('{"__metadata__":{"epoch":3}}'), /__metadata__ value "epoch" is a number/);
    await refused(file('{"__metadata__":["x"]}'), /__metadata__ is not an object/);
  });
  it('refuses unknown dtypes and malformed entries, naming the tensor', async () => {
    await refused(file('{"w":{"dtype":"F7","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1)), /tensor "w": unsupported dtype "F7"/);
    await refused(file('{"w":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}', new Uint8Array(1)), /tensor "w".*non-negative/);
    await refused(file('{"w":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}}', new Uint8Array(1)), /tensor "w"/);
    await refused(file('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0]}}', new Uint8Array(1)), /tensor "w": data_offsets/);
    await refused(file('{"w":{"dtype":"U8","shape":[1],"data_offsets":[1,0]}}', new Uint8Array(1)), /end before they begin/);
    await refused(file('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":1}}', new Uint8Array(1)), /unexpected field "x"/);
    await refused(file('{"w":3}'), /tensor "w": entry is not an object/);
  });
  it('refuses a byte length that does not match the shape', async () => {
    await refused(file('{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,8]}}', eight), /tensor "w": holds 8 bytes but F32 \[2,2\] needs 16/);
  });
  it('refuses an element count overflow', async () => {
    const h = '{"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}';
    await refused(file(h, eight), /tensor "w": element count .* overflows/);
    const h2 = '{"w":{"dtype":"F64","shape":[9007199254740991],"data_offsets":[0,8]}}';
    await refused(file(h2, eight), /byte size .* overflows/);
    const h3 = '{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,18446744073709551616]}}';
    await refused(file(h3, eight), /safe integers/);
  });
  it('refuses overlapping and gapped offsets and a nonzero start', async () => {
    const overlap = '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}';
    await refused(file(overlap, new Uint8Array(6)), /tensor "b" at \[2, 6\] overlaps/);
    const gap = '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[6,8]}}';
    await refused(file(gap, eight), /gap before tensor "b"/);
    await refused(file('{"a":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}', eight), /gap before tensor "a"/);
    const same = '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}';
    await refused(file(same, new Uint8Array(4)), /overlaps/);
  });
  it('refuses trailing bytes and truncated data', async () => {
    await refused(file(ok, new Uint8Array(9)), /1 trailing bytes/);
    await refused(file(ok, new Uint8Array(7)), /truncated/);
  });
  it('reads only the header: a 16 GB (sparse) file opens at once', async () => {
    const big = 16_000_000_000;
    const p = file(`{"huge":{"dtype":"U8","shape":[${big}],"data_offsets":[0,${big}]}}`);
    const { truncateSync } = await import('node:fs');
    truncateSync(p, statSync(p).size + big);
    const t0 = performance.now();
    const f = await openSafetensors(p);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(f.tensors.get('huge')!.file!.length).toBe(big);
  });

  it('refuses directories and missing files with SafetensorsError', async () => {
    const d = tmp.file('a-dir.safetensors');
    mkdirSync(d);
    await refused(d, /not a regular file/);
    await refused(tmp.file('missing.safetensors'), /cannot open \(ENOENT\)/);
  });
});
