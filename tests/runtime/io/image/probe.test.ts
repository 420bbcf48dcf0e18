/** probeImage / sniffFormat: header-only facts, agreeing with what LoadImage returns, in microseconds. */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageDecodeError, probeImage, readImageHeader, sniffFormat } from '../../../../server/runtime/io/image';
import { PIL_CASES } from './pil-expected';
import { fixture, orientationOf } from './support';

const FORMAT_BY_EXT: Record<string, string> = { png: 'png', jpg: 'jpeg', webp: 'webp', gif: 'gif' };

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

/** A PNG that claims width x height but carries almost no data: decoding it would need gigabytes. */
function hugePng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(64))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

describe('probeImage agrees with the decoded tensors', () => {
  it.each(PIL_CASES)('$file', (c) => {
    const bytes = fixture(c.file);
    const p = probeImage(bytes);
    const [frames, height, width] = c.image;
    expect(p).toEqual({
      format: FORMAT_BY_EXT[c.file.split('.').pop()!],
      width,
      height,
      frames,
      hasAlpha: c.alphaSha !== null,
      orientation: orientationOf(c.file),
    });
    expect(sniffFormat(bytes)).toBe(p!.format);
  });
});

describe('header-only', () => {
  it('reports a 20000x20000 PNG in microseconds and decodeImage refuses it before decoding', async () => {
    const bytes = hugePng(20000, 20000);
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) probeImage(bytes);
    const perProbeMs = (performance.now() - t0) / 1000;
    expect(probeImage(bytes)).toMatchObject({ format: 'png', width: 20000, height: 20000, frames: 1 });
    expect(perProbeMs).toBeLessThan(0.5);
    const t1 = performance.now();
    const err = await decodeImage(bytes, { maxPixels: 4096 * 4096 }).catch((e: unknown) => e);
    expect(performance.now() - t1).toBeLessThan(1000);
    expect(err).toBeInstanceOf(ImageDecodeError);
    // its 64-byte IDAT could never decode: 'too-large' rather than 'corrupt' shows the refusal came first
    expect((err as ImageDecodeError).code).toBe('too-large');
    expect((err as Error).message).toContain('20000x20000 = 400,000,000 pixels exceeds the limit of 16,777,216');
  });

  it('scans past large APPn segments to the JPEG frame header, keeping the first EXIF orientation', async () => {
    const jpg = fixture('jpg_exif6.jpg');
    // after SOI and the APP segments PIL wrote, insert a 60 KB APP2 segment and a second EXIF (orientation 3) that PIL ignores
    const app2 = Buffer.concat([Buffer.from([0xff, 0xe2, 0xea, 0x62]), Buffer.alloc(0xea62 - 2, 0x41)]);
    const exif3 = Buffer.from(fixture('jpg_exif3.jpg').subarray(2, 2 + 2 + fixture('jpg_exif3.jpg').readUInt16BE(4)));
    const firstSeg = 2 + 2 + jpg.readUInt16BE(4);
    const bytes = Buffer.concat([jpg.subarray(0, firstSeg), app2, exif3, jpg.subarray(firstSeg)]);
    expect(probeImage(bytes)).toEqual(probeImage(jpg));
    const [a, b] = await Promise.all([decodeImage(bytes, { maxPixels: 1e6 }), decodeImage(jpg, { maxPixels: 1e6 })]);
    expect(a.image.data).toEqual(b.image.data);
  });

  it('counts WebP ANMF frames, GIF images and APNG frames (a default image outside the animation counts, as in PIL)', () => {
    expect(probeImage(fixture('webp_anim3_lossy.webp'))?.frames).toBe(3);
    expect(probeImage(fixture('gif_anim3_trns.gif'))?.frames).toBe(3);
    expect(probeImage(fixture('apng_default.png'))?.frames).toBe(4);
  });
});

describe('sniffFormat', () => {
  it('reads magic bytes only', () => {
    expect(sniffFormat(Buffer.from('89504e470d0a1a0a', 'hex'))).toBe('png');
    expect(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'))).toBe('webp');
    expect(sniffFormat(Buffer.from('GIF89a', 'latin1'))).toBe('gif');
    expect(sniffFormat(Buffer.from('RIFF\0\0\0\0WAVEfmt ', 'latin1'))).toBeNull();
    expect(sniffFormat(Buffer.from('BM6\0\0\0', 'latin1'))).toBeNull();
    expect(sniffFormat(new Uint8Array(0))).toBeNull();
  });

  it('readImageHeader says why a header is unreadable', () => {
    expect(readImageHeader(fixture('gif_single_trns.gif'))).toEqual(probeImage(fixture('gif_single_trns.gif')));
    expect(() => readImageHeader(fixture('jpg_q90.jpg').subarray(0, 30))).toThrow(/^truncated JPEG: .* but the data has 30 bytes$/);
    expect(() => readImageHeader(Buffer.from('GIF89a\0\0\0\0', 'latin1'))).toThrow('corrupt GIF: logical screen size 0x0');
  });

  it('probeImage gives null for bytes that are not a readable header', () => {
    expect(probeImage(Buffer.from('hello world, not an image'))).toBeNull();
    expect(probeImage(fixture('png_rgb8.png').subarray(0, 20))).toBeNull();
    expect(probeImage(fixture('jpg_q90.jpg').subarray(0, 30))).toBeNull();
  });
});
