/**
 * decodeImage / decodeImageMask against what ComfyUI's LoadImage / LoadImageMask returned for the same bytes
 * (pil-expected.ts): bit-exact for every PNG, APNG, JPEG (baseline, progressive, 4:4:4, grey, CMYK, all EXIF
 * orientations), WebP (lossy, lossless, alpha, animated) and GIF fixture: no tolerance is needed.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, decodeImageMask } from '../../../../server/runtime/io/image';
import { PIL_CASES } from './pil-expected';
import { exactBytes, fixture, sha16 } from './support';

const opts = { maxPixels: 1 << 24 };

describe.each(PIL_CASES)('$file', (c) => {
  it('LoadImage: IMAGE and MASK equal ComfyUI bit for bit', async () => {
    const d = await decodeImage(fixture(c.file), opts);
    expect(d.image.shape).toEqual(c.image);
    expect(d.mask.shape).toEqual(c.mask);
    expect([d.frames, d.height, d.width]).toEqual(c.image.slice(0, 3));
    const rgb = exactBytes(d.image.data);
    const [, H, W] = c.image;
    for (const [b, y, x, r, g, bl, a] of c.pixels) {
      const o = ((b * H + y) * W + x) * 3;
      expect([rgb[o], rgb[o + 1], rgb[o + 2]], `pixel b${b} y${y} x${x}`).toEqual([r, g, bl]);
      if (a !== undefined) expect(Math.round((1 - d.mask.data[(b * H + y) * W + x]) * 255)).toBe(a);
    }
    const sums = [0, 0, 0];
    rgb.forEach((v, i) => (sums[i % 3] += v));
    expect(sums).toEqual(c.sums);
    expect(sha16(rgb)).toBe(c.imageSha);
    if (c.alphaSha === null) expect(d.mask.data.every((v) => v === 0)).toBe(true);
    else expect(sha16(exactBytes(d.mask.data, true))).toBe(c.alphaSha);
  });

  it('LoadImageMask: every channel equals ComfyUI', async () => {
    const bytes = fixture(c.file);
    for (const channel of ['alpha', 'red', 'green', 'blue'] as const) {
      const m = await decodeImageMask(bytes, channel, opts);
      expect(m.shape).toEqual([1, ...c.image.slice(1, 3)]);
      expect(sha16(exactBytes(m.data, channel === 'alpha')), channel).toBe(c.channels[channel]);
    }
  });
});

describe('negative controls: the checks above tell near-misses apart', () => {
  const byFile = (f: string) => PIL_CASES.find((c) => c.file === f)!;

  it("sharp's own colour-managed CMYK -> sRGB is not PIL's naive conversion", async () => {
    const raw = await sharp(fixture('jpg_cmyk.jpg')).raw().toBuffer();
    expect(sha16(new Uint8Array(raw))).not.toBe(byFile('jpg_cmyk.jpg').imageSha);
  });

  it("16-bit grey reduced by libvips (>> 8) is not ComfyUI's 1/255 scaling with clipping", async () => {
    const raw = await sharp(fixture('png_gray16.png')).toColourspace('srgb').raw().toBuffer();
    expect(sha16(new Uint8Array(raw))).not.toBe(byFile('png_gray16.png').imageSha);
  });

  it('the EXIF orientation matters: orientation 3 differs from orientation 1', () => {
    expect(byFile('jpg_exif3.jpg').imageSha).not.toBe(byFile('jpg_exif1.jpg').imageSha);
  });
});
