import { readFile } from 'node:fs/promises';

/** A decoded golden tensor: F32 → Float32Array, I32/I64 → Int32Array (I64 values must fit in int32). */
export interface GoldenTensor {
  shape: number[];
  data: Float32Array | Int32Array;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

async function readHeader(path: string): Promise<{ buf: Buffer; base: number; header: Record<string, unknown> }> {
  const buf = await readFile(path);
  const len = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + len).toString('utf8')) as Record<string, unknown>;
  return { buf, base: 8 + len, header };
}

/**
 * Test-only safetensors reader for golden files (F32/I32/I64 only). The production reader is
 * server/runtime/io/safetensors.ts; this one exists so tests do not depend on it.
 */
export async function readGoldenTensors(path: string): Promise<Map<string, GoldenTensor>> {
  const { buf, base, header } = await readHeader(path);
  const out = new Map<string, GoldenTensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = raw as HeaderEntry;
    const [start, end] = e.data_offsets;
    const bytes = buf.subarray(base + start, base + end);
    const n = e.shape.reduce((a, b) => a * b, 1);
    let data: Float32Array | Int32Array;
    if (e.dtype === 'F32') {
      data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = bytes.readFloatLE(i * 4);
    } else if (e.dtype === 'I32') {
      data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = bytes.readInt32LE(i * 4);
    } else if (e.dtype === 'I64') {
      data = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = bytes.readBigInt64LE(i * 8);
        if (v > 2147483647n || v < -2147483648n) throw new Error(`${name}: I64 value ${v} does not fit int32`);
        data[i] = Number(v);
      }
    } else {
      throw new Error(`${name}: unsupported dtype ${e.dtype} in test reader`);
    }
    out.set(name, { shape: e.shape, data });
  }
  return out;
}

/** The `__metadata__` string map of a safetensors file ({} when absent). */
export async function readGoldenMetadata(path: string): Promise<Record<string, string>> {
  const { header } = await readHeader(path);
  return (header.__metadata__ as Record<string, string> | undefined) ?? {};
}
