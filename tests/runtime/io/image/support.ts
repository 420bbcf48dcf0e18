/** Fixture access and exact float -> uint8 recovery for the image codec tests. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES = path.resolve(__dirname, '../../../fixtures/images');

export function fixture(file: string): Buffer {
  return readFileSync(path.join(FIXTURES, file));
}

/**
 * The uint8 values behind a float tensor, failing unless every float is exactly what numpy/torch give
 * (`u8 / 255` in float32, or `1 - that` for masks).
 */
export function exactBytes(data: Float32Array, oneMinus = false): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    const u = Math.round((oneMinus ? 1 - v : v) * 255);
    const expected = oneMinus ? Math.fround(1 - Math.fround(u / 255)) : Math.fround(u / 255);
    if (!(u >= 0 && u <= 255) || expected !== v) throw new Error(`value ${i} = ${v} is not an exact ${oneMinus ? '1 - u8/255' : 'u8/255'} float32`);
    out[i] = u;
  }
  return out;
}

export function sha16(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/** EXIF orientation a fixture was written with, from its name (jpg_exif6, webp_lossy_exif3, png_rgb8_exif6). */
export function orientationOf(file: string): number {
  const m = /exif(\d)/.exec(file);
  return m ? Number(m[1]) : 1;
}
