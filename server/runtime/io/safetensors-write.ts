import { open, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DTYPE_SIZE, numel, type DType } from './tensor';
import { SafetensorsError } from './safetensors';

export interface TensorEntry {
  name: string;
  dtype: DType;
  shape: readonly number[];
  /** called once, in file order, one call at a time (while the previous tensor is being written) */
  data: () => Promise<Uint8Array>;
}

/**
 * Streams tensors into a .safetensors file. The header is computed from shapes alone, then data is
 * written tensor by tensor into a temp file beside `target` that is renamed over it only when complete.
 */
export async function writeSafetensors(
  target: string,
  entries: Iterable<TensorEntry> | AsyncIterable<TensorEntry>,
  metadata: Record<string, string> = {},
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
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx');
  let ok = false;
  let written = 0;
  try {
    await writeAll(fh, header);
    written += header.length;
    // the next tensor is produced while the current one is written: two tensors in memory at most
    const fetch = (i: number) => {
      const p = ordered[i].data();
      p.catch(() => undefined); // surfaced when awaited; avoids an unhandled rejection if a write fails first
      return p;
    };
    let next = ordered.length ? fetch(0) : undefined;
    for (let i = 0; i < ordered.length; i++) {
      const e = ordered[i];
      const expected = numel(e.shape) * DTYPE_SIZE[e.dtype];
      const bytes = await next!;
      next = i + 1 < ordered.length ? fetch(i + 1) : undefined;
      if (bytes.byteLength !== expected) {
        throw new SafetensorsError(`${target}: tensor "${e.name}": data is ${bytes.byteLength} bytes, ${e.dtype} ${JSON.stringify(e.shape)} needs ${expected}`);
      }
      await writeAll(fh, bytes);
      written += bytes.byteLength;
    }
    await fh.sync();
    ok = true;
  } finally {
    await fh.close();
    if (!ok) await unlink(tmp).catch(() => undefined);
  }
  await rename(tmp, target);
  return { bytes: written, tensors: ordered.length };
}

/** The format's writer order: larger dtype alignment first, then name, so every tensor starts aligned. */
export function orderForWriting<T extends { name: string; dtype: DType }>(entries: readonly T[]): T[] {
  return [...entries].sort(
    (a, b) => DTYPE_SIZE[b.dtype] - DTYPE_SIZE[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
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

async function writeAll(fh: import('node:fs/promises').FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done);
    done += bytesWritten;
  }
}
