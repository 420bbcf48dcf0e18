import type { FileHandle } from 'node:fs/promises';
import { CheckpointFormatError } from './errors';

/** One STORED member of a zip archive: its data is the raw byte range [dataOffset, dataOffset + size). */
export interface ZipEntry {
  name: string;
  dataOffset: number;
  size: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const MAX_COMMENT = 0xffff;
/** ~100 bytes per member: this allows millions of members while refusing absurd allocations */
const MAX_CENTRAL_DIRECTORY = 512 << 20;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  if (done !== length) throw new CheckpointFormatError(`zip: unexpected end of file reading ${length} bytes at ${position}`);
  return buf;
}

function u64(buf: Buffer, at: number, what: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new CheckpointFormatError(`zip: ${what} ${v} is too large`);
  return Number(v);
}

/**
 * Lists the members of a zip archive from its central directory (ZIP64 included). Only STORED
 * members are accepted, which is what torch.save writes, so each tensor is a plain byte range.
 */
export async function readZipDirectory(fh: FileHandle, fileSize: number): Promise<Map<string, ZipEntry>> {
  const tailLen = Math.min(fileSize, 22 + MAX_COMMENT);
  const tail = await readAt(fh, fileSize - tailLen, tailLen);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new CheckpointFormatError('zip: end of central directory not found (truncated or not a zip archive)');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const eocdAbs = fileSize - tailLen + eocd;
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocdAbs >= 20) {
    const loc = await readAt(fh, eocdAbs - 20, 20);
    if (loc.readUInt32LE(0) === ZIP64_LOCATOR_SIG) {
      const z64At = u64(loc, 8, 'ZIP64 record offset');
      const z64 = await readAt(fh, z64At, 56);
      if (z64.readUInt32LE(0) !== ZIP64_EOCD_SIG) throw new CheckpointFormatError('zip: bad ZIP64 end of central directory');
      count = u64(z64, 32, 'entry count');
      cdSize = u64(z64, 40, 'central directory size');
      cdOffset = u64(z64, 48, 'central directory offset');
    }
  }
  if (cdSize > MAX_CENTRAL_DIRECTORY) throw new CheckpointFormatError(`zip: central directory of ${cdSize} bytes is implausibly large`);
  if (cdOffset + cdSize > fileSize) throw new CheckpointFormatError('zip: central directory lies past the end of the file (truncated?)');
  const cd = await readAt(fh, cdOffset, cdSize);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIG) throw new CheckpointFormatError(`zip: corrupt central directory at entry ${i}`);
    const method = cd.readUInt16LE(p + 10);
    let compSize = cd.readUInt32LE(p + 20);
    let size = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localOffset = cd.readUInt32LE(p + 42);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw new CheckpointFormatError(`zip: corrupt central directory at entry ${i}`);
    const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
    // ZIP64 extended information: present fields follow the order size, compressed size, offset
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = u64(cd, q, 'size');
          q += 8;
        }
        if (compSize === 0xffffffff) {
          compSize = u64(cd, q, 'size');
          q += 8;
        }
        if (localOffset === 0xffffffff) localOffset = u64(cd, q, 'offset');
      }
      e += 4 + len;
    }
    if (method !== 0) throw new CheckpointFormatError(`zip: member "${name}" is compressed (method ${method}); only stored members are supported`);
    if (compSize !== size) throw new CheckpointFormatError(`zip: member "${name}" has inconsistent sizes`);
    if (entries.has(name)) throw new CheckpointFormatError(`zip: member "${name}" appears twice`);
    entries.set(name, { name, dataOffset: localOffset, size });
    p += 46 + nameLen + extraLen + commentLen;
  }
  // the data begins after each member's local header, whose extra field may differ from the central one
  for (const entry of entries.values()) {
    const local = await readAt(fh, entry.dataOffset, 30);
    if (local.readUInt32LE(0) !== LOCAL_SIG) throw new CheckpointFormatError(`zip: bad local header for "${entry.name}"`);
    const dataOffset = entry.dataOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (dataOffset + entry.size > cdOffset) throw new CheckpointFormatError(`zip: member "${entry.name}" runs past the data area (truncated?)`);
    entry.dataOffset = dataOffset;
  }
  return entries;
}
