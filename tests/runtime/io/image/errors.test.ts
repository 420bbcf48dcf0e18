/** Bad input gets a specific ImageDecodeError (unknown format, corrupt/truncated, too large), never a crash or hang. */
import { describe, expect, it } from 'vitest';
import { decodeImage, decodeImageMask, ImageDecodeError, type ImageErrorCode } from '../../../../server/runtime/io/image';
import { mulberry32 } from '../../../helpers/prng';
import { PIL_CASES } from './pil-expected';
import { fixture } from './support';

const opts = { maxPixels: 1 << 20 };

async function refusal(bytes: Uint8Array, maxPixels = opts.maxPixels): Promise<{ code: ImageErrorCode; message: string }> {
  const e = await decodeImage(bytes, { maxPixels }).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof ImageDecodeError)) throw new Error(`expected an ImageDecodeError, got ${String(e)}`);
  return { code: e.code, message: e.message };
}

describe('unknown formats name the magic bytes found', () => {
  it('empty data', async () => {
    expect(await refusal(new Uint8Array(0))).toEqual({ code: 'unknown-format', message: expect.stringContaining('empty data') });
  });
  it('text', async () => {
    const r = await refusal(Buffer.from('<html><body>'));
    expect(r.code).toBe('unknown-format');
    expect(r.message).toContain('3c 68 74 6d 6c 3e');
    expect(r.message).toContain('"<html><body>"');
  });
  it('a format PIL reads but we do not (BMP, TIFF)', async () => {
    expect((await refusal(Buffer.from('BM6\0\0\0\0\0\0\0', 'latin1'))).message).toMatch(/unsupported image format BMP \(first bytes 42 4d/);
    expect((await refusal(Buffer.from([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0]))).message).toContain('TIFF');
  });
});

describe('truncated or corrupt data', () => {
  const cut = (file: string, frac: number) => {
    const b = fixture(file);
    return b.subarray(0, Math.floor(b.length * frac));
  };
  it.each([
    ['png_rgba8.png', /truncated PNG: chunk IDAT at byte \d+ declares \d+ bytes but only \d+ remain/],
    ['apng_over.png', /truncated PNG: chunk (fdAT|fcTL|IDAT) at byte \d+/],
    ['webp_lossless_alpha.webp', /truncated WebP: RIFF header declares \d+ bytes but the data has \d+/],
    ['gif_anim3_trns.gif', /truncated GIF/],
    ['jpg_q90_progressive.jpg', /corrupt or truncated JPEG pixel data: .*premature end/i],
    ['jpg_q90.jpg', /corrupt or truncated JPEG pixel data: .*premature end/i],
  ])('%s cut at 80%%', async (file, pattern) => {
    const r = await refusal(cut(file, 0.8));
    expect(r.code).toBe('corrupt');
    expect(r.message).toMatch(pattern);
  });

  it('damaged zlib data inside a PNG with valid chunk framing', async () => {
    const b = Buffer.from(fixture('png_rgb8.png'));
    const idat = b.indexOf('IDAT', 0, 'latin1');
    for (let i = 0; i < 40; i++) b[idat + 10 + i] ^= 0xa5;
    const r = await refusal(b);
    expect(r.code).toBe('corrupt');
    expect(r.message).toMatch(/^corrupt or truncated PNG pixel data: /);
  });

  it('a PNG whose first chunk is not IHDR', async () => {
    const b = Buffer.from(fixture('png_rgb8.png'));
    b.write('IHDX', 12, 'latin1');
    expect(await refusal(b)).toEqual({ code: 'corrupt', message: 'corrupt PNG: the first chunk must be a 13-byte IHDR, found "IHDX"' });
  });
});

describe('limits', () => {
  it('maxPixels counts every frame of an animation', async () => {
    const r = await refusal(fixture('webp_anim3_lossy.webp'), 500);
    expect(r).toEqual({ code: 'too-large', message: 'WEBP image too large: 3 frames of 21x14 = 882 pixels exceeds the limit of 500' });
    // LoadImageMask decodes the first frame only
    await expect(decodeImageMask(fixture('webp_anim3_lossy.webp'), 'red', { maxPixels: 294 })).resolves.toMatchObject({ shape: [1, 14, 21] });
  });
  it('rejects a bad maxPixels or channel as a programming error', async () => {
    await expect(decodeImage(fixture('png_rgb8.png'), { maxPixels: 0 })).rejects.toThrow(TypeError);
    await expect(decodeImage(fixture('png_rgb8.png'), { maxPixels: Number.NaN })).rejects.toThrow(/positive integer/);
    await expect(decodeImageMask(fixture('png_rgb8.png'), 'luma' as 'red', opts)).rejects.toThrow(/alpha, red, green or blue/);
  });
});

describe('fuzz: mutated fixtures decode or are refused with ImageDecodeError', () => {
  it('300 mutations (byte flips, truncations, spliced garbage) within a bounded time', async () => {
    const rnd = mulberry32(20240601);
    const t0 = performance.now();
    const codes = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const src = fixture(PIL_CASES[Math.floor(rnd() * PIL_CASES.length)].file);
      let b = Buffer.from(src);
      const kind = i % 3;
      if (kind === 0) for (let k = 0; k < 1 + rnd() * 8; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      else if (kind === 1) b = b.subarray(0, Math.floor(rnd() * b.length));
      else {
        const at = Math.floor(rnd() * b.length);
        b = Buffer.concat([
          b.subarray(0, at),
          Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256))),
          b.subarray(at),
        ]);
      }
      try {
        const d = await decodeImage(b, { maxPixels: 1 << 16 });
        expect(d.image.data.length).toBe(d.image.shape.reduce((x, y) => x * y, 1));
        codes.set('decoded', (codes.get('decoded') ?? 0) + 1);
      } catch (e) {
        if (!(e instanceof ImageDecodeError)) throw new Error(`mutation ${i} of kind ${kind}: ${String(e)}`);
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      }
    }
    expect(performance.now() - t0).toBeLessThan(60_000);
    expect(codes.get('corrupt')).toBeGreaterThan(50);
  });
});
