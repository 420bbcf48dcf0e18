/** ImageUpscaleWithModel's tiling: comfy.utils.tiled_scale's tiles, feathering and blending, with a reduced tile. */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedUpscaleModel, upscaleImage } from '../../server/runtime/loaders/upscale-model';
import { ModelCache } from '../../server/runtime/model-cache';
import { featherFactors, tiledScale, tiledScaleSteps, tileStarts } from '../../server/runtime/models/upscale/tiled';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { F32Tensor } from '../../server/runtime/models';
import { maxAbsDiff } from '../helpers/compare';
import { describeGolden, golden } from '../helpers/golden';

afterAll(() => sessionCache.clear());

/** nearest-neighbour ×2: a "model" whose output at a pixel does not depend on the tile it is in */
async function nearest2(t: F32Tensor): Promise<F32Tensor> {
  const [, c, h, w] = t.shape;
  const out = new Float32Array(c * 4 * h * w);
  for (let k = 0; k < c; k++)
    for (let y = 0; y < 2 * h; y++) for (let x = 0; x < 2 * w; x++) out[(k * 2 * h + y) * 2 * w + x] = t.data[(k * h + (y >> 1)) * w + (x >> 1)];
  return { data: out, shape: [1, c, 2 * h, 2 * w] };
}

describe('tiled_scale', () => {
  it('tile origins and step count as ComfyUI computes them', () => {
    // range(0, 40 - 4, 16 - 4) = 0, 12, 24, each clamped to ≤ size - overlap
    expect(tileStarts(40, 16, 4)).toEqual([0, 12, 24]);
    expect(tileStarts(16, 16, 4)).toEqual([0]);
    expect(tiledScaleSteps(40, 20, 16, 4)).toBe(3 * 2);
  });

  it('feathering: rows t and size-1-t multiplied by (t+1)/feather, t < feather', () => {
    const f = featherFactors(6, 2);
    expect(f).toEqual([[0.5], [1], [], [], [1], [0.5]]);
    // a tile narrower than twice the feather: the middle rows are multiplied twice
    expect(featherFactors(3, 2).map((a) => a.reduce((m, v) => m * v, 1))).toEqual([0.5, 1, 0.5]);
  });

  it('blending: a tile-independent model gives the untiled result; the weights are the feathered masks', async () => {
    const h = 20;
    const w = 28;
    const x: F32Tensor = { data: Float32Array.from({ length: 2 * h * w }, (_, i) => Math.sin(i * 0.37)), shape: [2, h, w] };
    const whole = await tiledScale(x, nearest2, { tile: 64, overlap: 4, scale: 2, outChannels: 2 });
    const tiled = await tiledScale(x, nearest2, { tile: 12, overlap: 4, scale: 2, outChannels: 2 });
    expect(tiled.shape).toEqual([2, 40, 56]);
    expect(maxAbsDiff(tiled.data, whole.data)).toBeLessThanOrEqual(1e-6);
    // a model giving each tile's index: the blend at a pixel is Σ mask·index / Σ mask, with tiled_scale's masks
    let n = 0;
    const indexModel = async (t: F32Tensor): Promise<F32Tensor> => {
      const v = n++;
      const [, , th, tw] = t.shape;
      return { data: new Float32Array(4 * th * tw).fill(v), shape: [1, 1, 2 * th, 2 * tw] };
    };
    const one: F32Tensor = { data: new Float32Array(h * w), shape: [1, h, w] };
    const blended = await tiledScale(one, indexModel, { tile: 12, overlap: 4, scale: 2, outChannels: 1 });
    // output row 10 (input rows 0-11 only, first tile row), columns 0..23 span tiles 0 (x 0-23) and 1 (x 16-39):
    // feather = round(2·4) = 8; tile 0's column mask at x is min(1, (24 - x)/8) near its right edge, tile 1's (x-16+1)/8
    const row = 10;
    for (const xo of [17, 20, 23]) {
      const m0 = Math.min(1, (24 - xo) / 8);
      const m1 = Math.min(1, (xo - 16 + 1) / 8);
      expect(blended.data[row * 56 + xo]).toBeCloseTo((0 * m0 + 1 * m1) / (m0 + m1), 5);
    }
  });
});

describeGolden('ImageUpscaleWithModel tiled vs untiled (real models)', () => {
  for (const file of ['realesr-general-x4v3-tiny.safetensors', 'realesrgan-x4plus-tiny.safetensors', 'realesrgan-x2plus-tiny.pth']) {
    it(file, async () => {
      const models = new ModelCache(2 ** 30);
      const m = await cachedUpscaleModel(models, path.join(golden('comfy-models', 'upscale'), file));
      const [h, w] = [40, 56];
      const img = {
        data: Float32Array.from({ length: h * w * 3 }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.013) * Math.cos(i * 0.0007)),
        shape: [1, h, w, 3],
      };
      const whole = await upscaleImage(models, m, img);
      let tiles = 0;
      const tiled = await upscaleImage(models, m, img, {
        tile: 24,
        overlap: 8,
        onProgress: (_, total) => {
          tiles = total;
        },
      });
      expect(tiles).toBe(tiledScaleSteps(w, h, 24, 8));
      expect(tiled.shape).toEqual(whole.shape);
      const err = maxAbsDiff(tiled.data, whole.data);
      console.log(`[tiling] ${file} tile 24 overlap 8 vs untiled: max ${err}`);
      // convolutions see zero/reflect padding at tile borders; the feathered overlap hides most of it
      expect(err).toBeLessThan(0.05);
    });
  }
});

describe('bad upscale files', () => {
  it('an unknown architecture names the keys it found', async () => {
    const { detectUpscaleModel } = await import('../../server/runtime/models/upscale/detect');
    const dict = new Map([
      ['foo.weight', {}],
      ['bar.bias', {}],
    ]) as unknown as Parameters<typeof detectUpscaleModel>[0];
    expect(() => detectUpscaleModel(dict, 'odd.pth')).toThrow(/odd\.pth: unknown upscale model architecture; keys found: foo\.weight, bar\.bias/);
  });
});
