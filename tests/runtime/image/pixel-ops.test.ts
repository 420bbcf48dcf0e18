/**
 * Filters and pixel operations: torch.sum order, Gaussian kernels, grey dilation, kornia Canny, Pillow quantize. Expected values are tiny reference vectors from the golden harness's Python (torch 1.13, scipy 1.10, kornia 0.7.1, Pillow 9.4 via ComfyUI), computed on
 * formula inputs by /work/ref/gen/image-nodes/unit_vectors.py (outside the repo) and inlined here.
 */
import { describe, expect, it } from 'vitest';
import { canny } from '../../../server/runtime/image/canny';
import { growPlanes } from '../../../server/runtime/image/morphology';
import { medianCutPalette, quantizeImage, type QuantizeDither } from '../../../server/runtime/image/quantize';
import { torchSum } from '../../../server/runtime/image/torch-sum';
import type { FloatTensor } from '../../../server/runtime/values';

const TORCH_SUMS: Record<string, number> = {
  '3': 222.74661254882812,
  '5': 358.0785827636719,
  '8': 541.3414306640625,
  '9': 654.86083984375,
  '17': 1208.56884765625,
  '40': 2848.691650390625,
  '121': 8864.439453125,
  '1000': 75821.75,
};
const GROW_CROSS = [
  0.9375, 0.9375, 0.9375, 0.875, 1.0, 1.0, 1.0, 0.875, 0.9375, 0.9375, 0.9375, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9375, 0.9375, 0.9375, 0.9375, 1.0, 1.0, 1.0,
  1.0, 0.9375, 0.9375, 0.9375, 0.9375, 1.0, 1.0, 1.0, 1.0, 0.625, 0.9375, 0.9375, 0.9375, 0.9375, 1.0, 1.0, 1.0, 0.625, 0.9375, 0.9375, 0.9375,
  0.9375, 1.0, 1.0, 1.0,
];
const GROW_SQUARE = [
  0.9375, 0.9375, 0.9375, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9375, 0.9375, 0.9375, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9375, 0.9375, 0.9375, 1.0, 1.0, 1.0, 1.0, 1.0,
  0.9375, 0.9375, 0.9375, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9375, 0.9375, 0.9375, 0.9375, 1.0, 1.0, 1.0, 1.0, 0.9375, 0.9375, 0.9375, 0.9375, 1.0, 1.0, 1.0,
  1.0,
];
const SHRINK_CROSS = [
  0.0, 0.0, 0.0, 0.0625, 0.0625, 0.0625, 0.0625, 0.375, 0.0, 0.0, 0.0, 0.0625, 0.0625, 0.0625, 0.0625, 0.375, 0.0, 0.0, 0.0, 0.0, 0.0625, 0.0625,
  0.0625, 0.0625, 0.0, 0.0, 0.0, 0.0, 0.0625, 0.0625, 0.0625, 0.0625, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0625, 0.0625, 0.0625, 0.125, 0.0, 0.0, 0.0, 0.125,
  0.0625, 0.0625, 0.0625,
];
const CANNY_04 = [
  '0000000000000000',
  '0000000000000000',
  '0011110000000000',
  '0010010000000000',
  '0010001000000000',
  '0010010000000000',
  '0011110000000000',
  '0000000000000111',
  '0000000000001010',
  '0000000000010010',
  '0000000000011110',
  '0000000000010000',
];
const CANNY_05 = [
  '0000000000000000',
  '0000000000000000',
  '0011110000000000',
  '0010010000000000',
  '0010001000000000',
  '0010010000000000',
  '0011110000000000',
  '0000000000000000',
  '0000000000000000',
  '0000000000000000',
  '0000000000000000',
  '0000000000000000',
];
const QUANTIZE: Record<string, number[]> = {
  none: [
    49, 146, 170, 49, 146, 170, 119, 216, 57, 119, 216, 57, 119, 216, 57, 164, 59, 156, 164, 59, 156, 164, 59, 156, 49, 146, 170, 49, 146, 170, 119,
    216, 57, 119, 216, 57, 164, 59, 156, 164, 59, 156, 164, 59, 156, 49, 146, 170, 49, 146, 170, 119, 216, 57, 119, 216, 57, 119, 216, 57, 164, 59,
    156, 164, 59, 156, 49, 146, 170, 49, 146, 170, 119, 216, 57, 119, 216, 57, 119, 216, 57, 164, 59, 156, 164, 59, 156, 164, 59, 156,
  ],
  'floyd-steinberg': [
    49, 146, 170, 49, 146, 170, 119, 216, 57, 119, 216, 57, 119, 216, 57, 164, 59, 156, 164, 59, 156, 164, 59, 156, 49, 146, 170, 49, 146, 170, 119,
    216, 57, 119, 216, 57, 164, 59, 156, 164, 59, 156, 164, 59, 156, 49, 146, 170, 49, 146, 170, 119, 216, 57, 119, 216, 57, 119, 216, 57, 164, 59,
    156, 164, 59, 156, 49, 146, 170, 49, 146, 170, 119, 216, 57, 119, 216, 57, 119, 216, 57, 164, 59, 156, 164, 59, 156, 164, 59, 156,
  ],
  'bayer-2': [
    49, 146, 170, 49, 146, 170, 119, 216, 57, 119, 216, 57, 119, 216, 57, 164, 59, 156, 164, 59, 156, 164, 59, 156, 49, 146, 170, 49, 146, 170, 119,
    216, 57, 119, 216, 57, 164, 59, 156, 164, 59, 156, 164, 59, 156, 49, 146, 170, 49, 146, 170, 119, 216, 57, 119, 216, 57, 119, 216, 57, 164, 59,
    156, 164, 59, 156, 49, 146, 170, 49, 146, 170, 119, 216, 57, 119, 216, 57, 119, 216, 57, 164, 59, 156, 164, 59, 156, 164, 59, 156,
  ],
  'bayer-4': [
    49, 146, 170, 49, 146, 170, 119, 216, 57, 119, 216, 57, 119, 216, 57, 164, 59, 156, 164, 59, 156, 164, 59, 156, 49, 146, 170, 49, 146, 170, 119,
    216, 57, 119, 216, 57, 164, 59, 156, 164, 59, 156, 164, 59, 156, 49, 146, 170, 49, 146, 170, 119, 216, 57, 119, 216, 57, 119, 216, 57, 164, 59,
    156, 164, 59, 156, 49, 146, 170, 49, 146, 170, 119, 216, 57, 119, 216, 57, 119, 216, 57, 164, 59, 156, 164, 59, 156, 164, 59, 156,
  ],
};
const QUANTIZE_BLACK = [0, 0, 0, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 6, 6, 6];

describe('torchSum', () => {
  it('adds float32 values in the order torch.sum does (8 lanes, 4-way cascade; 4 scalar partials below 8)', () => {
    for (const [n, ref] of Object.entries(TORCH_SUMS)) {
      const v = Float32Array.from({ length: Number(n) }, (_, i) =>
        Math.fround(Math.fround(((i * 7919) % 1009) / 7) * Math.fround(Math.fround(1.0001) ** i)),
      );
      expect(torchSum(v), `n = ${n}`).toBe(Math.fround(ref));
    }
  });
});

describe('growPlanes (scipy grey_dilation / grey_erosion, 3x3 footprint, twice)', () => {
  const m = Float32Array.from({ length: 48 }, (_, i) => ((i * 13) % 17) / 16);
  it('matches scipy with the cross (tapered) and square footprints, growing and shrinking', () => {
    expect(Array.from(growPlanes(m, 6, 8, 2, true, true))).toEqual(GROW_CROSS);
    expect(Array.from(growPlanes(m, 6, 8, 2, true, false))).toEqual(GROW_SQUARE);
    expect(Array.from(growPlanes(m, 6, 8, 2, false, true))).toEqual(SHRINK_CROSS);
  });
  it('stops once nothing changes: a huge count costs a few passes', () => {
    const t0 = performance.now();
    const all = growPlanes(m, 6, 8, 1_000_000, true, false);
    expect(all.every((v) => v === Math.max(...m))).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('canny (kornia)', () => {
  const img: FloatTensor = (() => {
    const data = new Float32Array(12 * 16 * 3);
    const set = (y0: number, y1: number, x0: number, x1: number, v: number) => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) for (let k = 0; k < 3; k++) data[(y * 16 + x) * 3 + k] = v;
    };
    set(2, 7, 2, 6, 0.9);
    set(2, 7, 6, 9, 0.2);
    set(8, 11, 12, 15, 0.2);
    return { shape: [1, 12, 16, 3], data };
  })();
  const rows = (t: FloatTensor) =>
    Array.from({ length: 12 }, (_, y) => Array.from({ length: 16 }, (_, x) => String(t.data[(y * 16 + x) * 3])).join(''));
  it("finds kornia's edges; a weak edge with no strong neighbour goes with a higher threshold (hysteresis)", () => {
    expect(rows(canny(img, 0.1, 0.4))).toEqual(CANNY_04);
    expect(rows(canny(img, 0.1, 0.5))).toEqual(CANNY_05);
  });
});

describe('quantizeImage (Pillow median cut through ComfyUI)', () => {
  const img: FloatTensor = { shape: [1, 5, 6, 3], data: Float32Array.from({ length: 90 }, (_, i) => Math.fround(((i * 97) % 256) / 255)) };
  it('matches ComfyUI byte for byte with every kind of dither', () => {
    for (const [dither, ref] of Object.entries(QUANTIZE)) {
      expect(
        Array.from(quantizeImage(img, 3, dither as QuantizeDither).data, (v) => Math.round(v * 255)),
        dither,
      ).toEqual(ref);
    }
  });
  it("keeps Pillow's quirk: unused palette slots are black, so a black pixel stays black though no palette colour is", () => {
    const dark: FloatTensor = { shape: [1, 2, 3, 3], data: new Float32Array(18).fill(0.5) };
    dark.data.fill(0, 0, 3);
    dark.data.fill(0.05, 15, 18);
    expect(Array.from(quantizeImage(dark, 2, 'none').data, (v) => Math.round(v * 255))).toEqual(QUANTIZE_BLACK);
    // the median cut itself (Pillow: [89, 89, 89, 0, 0, 0] for these four pixels, then 254 black slots)
    const palette = medianCutPalette(Uint8Array.from([0, 0, 0, 12, 12, 12, 127, 127, 127, 127, 127, 127]), 2);
    expect(Array.from(palette.subarray(0, 6))).toEqual([89, 89, 89, 0, 0, 0]);
    expect(palette.subarray(6).every((v) => v === 0)).toBe(true);
  });
});
