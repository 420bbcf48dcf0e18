/**
 * Inputs made in the test itself: a pngjs-written RGBA PNG (LoadImage's rule for RGBA is the identity on 8-bit
 * samples and 1 - alpha for the mask), and a 2048x2048 JPEG encoded by sharp, decoded without stalling the event loop.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, decodeImageMask, probeImage } from '../../../../server/runtime/io/image';
import { mulberry32 } from '../../../helpers/prng';

describe('generated inputs', () => {
  it('a 512x300 RGBA PNG written by pngjs decodes to its own samples', async () => {
    const rnd = mulberry32(7);
    const png = new PNG({ width: 512, height: 300 });
    for (let i = 0; i < png.data.length; i++) png.data[i] = Math.floor(rnd() * 256);
    const bytes = PNG.sync.write(png);
    expect(probeImage(bytes)).toEqual({ format: 'png', width: 512, height: 300, frames: 1, hasAlpha: true, orientation: 1 });
    const d = await decodeImage(bytes, { maxPixels: 512 * 300 });
    expect(d.image.shape).toEqual([1, 300, 512, 3]);
    expect(d.mask.shape).toEqual([1, 300, 512]);
    for (let p = 0; p < 512 * 300; p += 97) {
      for (let k = 0; k < 3; k++) expect(d.image.data[p * 3 + k]).toBe(Math.fround(png.data[p * 4 + k] / 255));
      expect(d.mask.data[p]).toBe(Math.fround(1 - Math.fround(png.data[p * 4 + 3] / 255)));
    }
    const green = await decodeImageMask(bytes, 'green', { maxPixels: 512 * 300 });
    expect(green.data[1234]).toBe(Math.fround(png.data[1234 * 4 + 1] / 255));
  });

  it('a 2048x2048 JPEG decodes off the event loop (stalls stay short)', async () => {
    const n = 2048;
    const raw = Buffer.alloc(n * n * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
    const jpeg = await sharp(raw, { raw: { width: n, height: n, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer();
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const t0 = performance.now();
    const d = await decodeImage(jpeg, { maxPixels: n * n });
    const ms = performance.now() - t0;
    h.disable();
    const stallMs = h.max / 1e6;
    console.log(`2048x2048 JPEG: decodeImage ${ms.toFixed(0)} ms, longest event-loop stall ${stallMs.toFixed(1)} ms`);
    expect(d.image.shape).toEqual([1, n, n, 3]);
    expect(d.mask.shape).toEqual([1, 64, 64]);
    // a synchronous decode + float conversion of 4 Mpx holds the loop for hundreds of ms; sliced work stays near 10 ms
    // (the bound leaves room for CPU starvation when other suites run in parallel)
    expect(stallMs).toBeLessThan(500);
  });
});
