import { open, stat } from 'node:fs/promises';
import { findDuplicateKey } from './json-keys';
import { DTYPE_SIZE, type DType, type StateDict, type TensorRef } from './tensor';
import { readRange } from './read-range';

/** Any violation of the safetensors format. The message names the file and, where one is at fault, the tensor. */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

export interface SafetensorsFile {
  path: string;
  /** N: byte length of the JSON header (after the 8-byte length prefix) */
  headerLength: number;
  /** absolute offset of the data section: 8 + N */
  dataStart: number;
  metadata: Record<string, string>;
  /** in data-offset order */
  tensors: StateDict;
}

/** The format's reference implementation caps the header here. */
export const MAX_HEADER_LENGTH = 100_000_000;
const KNOWN_DTYPES = new Set(Object.keys(DTYPE_SIZE));
const ENTRY_FIELDS = new Set(['dtype', 'shape', 'data_offsets']);

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/** Reads and validates only the header; tensor bytes are read lazily by each TensorRef. */
export async function openSafetensors(path: string): Promise<SafetensorsFile> {
  const fail = (msg: string): never => {
    throw new SafetensorsError(`${path}: ${msg}`);
  };
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) fail('not a regular file');
    size = st.size;
  } catch (e) {
    if (e instanceof SafetensorsError) throw e;
    throw new SafetensorsError(`${path}: cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (size < 8) fail(`file is ${size} bytes, shorter than the 8-byte header length`);
  const fh = await open(path, 'r');
  let headerBytes: Buffer;
  let n: number;
  try {
    const prefix = Buffer.alloc(8);
    await fh.read(prefix, 0, 8, 0);
    const n64 = prefix.readBigUInt64LE(0);
    if (n64 > BigInt(MAX_HEADER_LENGTH)) fail(`header length ${n64} exceeds the ${MAX_HEADER_LENGTH}-byte limit`);
    n = Number(n64);
    if (8 + n > size) fail(`header length ${n} runs past the end of the ${size}-byte file (truncated?)`);
    headerBytes = Buffer.alloc(n);
    const { bytesRead } = await fh.read(headerBytes, 0, n, 8);
    if (bytesRead !== n) fail(`header truncated: read ${bytesRead} of ${n} bytes`);
  } finally {
    await fh.close();
  }
  const entries = parseHeader(headerBytes, fail);
  const metadata = entries.metadata;
  const sorted = checkLayout(entries.tensors, n, size, fail);
  const dataStart = 8 + n;
  const tensors: StateDict = new Map();
  for (const e of sorted) tensors.set(e.name, makeRef(path, dataStart, e));
  return { path, headerLength: n, dataStart, metadata, tensors };
}

function parseHeader(bytes: Buffer, fail: (m: string) => never): { tensors: Entry[]; metadata: Record<string, string> } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return fail('header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('header is not a JSON object');
  const dupe = findDuplicateKey(text);
  if (dupe) return fail(`duplicate key "${dupe.key}"${dupe.path ? ` in "${dupe.path}"` : ''} in the header`);

  const metadata: Record<string, string> = {};
  const tensors: Entry[] = [];
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ value "${k}" is ${describe(v)}, not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    tensors.push(parseEntry(name, value, fail));
  }
  return { tensors, metadata };
}

function parseEntry(name: string, value: unknown, fail: (m: string) => never): Entry {
  const bad = (m: string): never => fail(`tensor "${name}": ${m}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('entry is not an object');
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) if (!ENTRY_FIELDS.has(k)) bad(`unexpected field "${k}"`);
  if (typeof v.dtype !== 'string') return bad('missing dtype');
  if (!KNOWN_DTYPES.has(v.dtype)) bad(`unsupported dtype "${v.dtype}"`);
  const dtype = v.dtype as DType;
  if (!Array.isArray(v.shape)) return bad('shape is not an array');
  const shape = v.shape.map((d: unknown) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
      bad(`shape ${JSON.stringify(v.shape)} has a dimension that is not a non-negative safe integer`);
    return d as number;
  });
  const offs = v.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2) return bad('data_offsets is not [begin, end]');
  for (const o of offs) {
    if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) bad(`data_offsets ${JSON.stringify(offs)} are not non-negative safe integers`);
  }
  const [begin, end] = offs as [number, number];
  if (end < begin) bad(`data_offsets [${begin}, ${end}] end before they begin`);
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (!Number.isSafeInteger(count)) bad(`element count of shape ${JSON.stringify(shape)} overflows`);
  }
  const bytes = count * DTYPE_SIZE[dtype];
  if (!Number.isSafeInteger(bytes)) bad(`byte size of shape ${JSON.stringify(shape)} overflows`);
  if (end - begin !== bytes) bad(`holds ${end - begin} bytes but ${dtype} ${JSON.stringify(shape)} needs ${bytes}`);
  return { name, dtype, shape, begin, end };
}

function checkLayout(entries: Entry[], n: number, size: number, fail: (m: string) => never): Entry[] {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin < pos) fail(`tensor "${e.name}" at [${e.begin}, ${e.end}] overlaps the previous tensor (ending at ${pos})`);
    if (e.begin > pos) fail(`gap before tensor "${e.name}": it begins at ${e.begin}, the previous tensor ends at ${pos}`);
    pos = e.end;
  }
  const expected = 8 + n + pos;
  if (expected > size) fail(`file is truncated: tensors end at byte ${expected} but the file has ${size}`);
  if (expected < size) fail(`${size - expected} trailing bytes after the last tensor`);
  return sorted;
}

function makeRef(path: string, dataStart: number, e: Entry): TensorRef {
  const file = { path, offset: dataStart + e.begin, length: e.end - e.begin };
  const shape = Object.freeze([...e.shape]);
  return {
    name: e.name,
    dtype: e.dtype,
    shape,
    file,
    read: () =>
      readRange(file).catch((err: unknown) => {
        throw new SafetensorsError(`${path}: tensor "${e.name}": ${(err as Error).message}`);
      }),
  };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}
