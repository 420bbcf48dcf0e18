import { open } from 'node:fs/promises';
import type { FileRange } from './tensor';

/** Positioned read of exactly one byte range; a short read (file changed underneath) is an error. */
export async function readRange(range: FileRange): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(range.length);
  if (range.length === 0) return buf;
  const fh = await open(range.path, 'r');
  try {
    let done = 0;
    while (done < range.length) {
      const { bytesRead } = await fh.read(buf, done, range.length - done, range.offset + done);
      if (bytesRead === 0) throw new Error(`file ended after ${done} of ${range.length} bytes at offset ${range.offset}`);
      done += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return buf;
}
