/** Tiny vectors from torch 1.13: F.interpolate(x, size, mode='bilinear') with x = arange(12).view(1,1,3,4)·0.37 − 1.1. */
import { describe, expect, it } from 'vitest';
import { bilinearPlanes, roundHalfEven } from '../../../server/runtime/image/torch-bilinear';

const x = Float32Array.from({ length: 12 }, (_, i) => Math.fround(Math.fround(i * 0.37) - 1.1));
const up = [
  -1.1, -0.9678571, -0.7564286, -0.545, -0.3335714, -0.1221428, 0.01, -0.508, -0.3758571, -0.1644285, 0.0470001, 0.2584287, 0.4698573, 0.6020001,
  0.3800001, 0.512143, 0.7235715, 0.9350001, 1.1464287, 1.3578573, 1.4900002, 1.2680001, 1.4001429, 1.6115717, 1.8230002, 2.0344286, 2.2458575,
  2.3780003, 1.86, 1.9921428, 2.2035716, 2.415, 2.6264286, 2.8378575, 2.9700003,
];
const down = [-0.6683334, -0.175, 0.3183334, 1.5516667, 2.0450001, 2.5383334];

describe('torch bilinear (align_corners=False)', () => {
  it('upscales 3x4 → 5x7 as torch does', () => {
    const got = bilinearPlanes(x, 1, 3, 4, 5, 7);
    for (let i = 0; i < up.length; i++) expect(got[i]).toBeCloseTo(up[i], 6);
  });
  it('downscales 3x4 → 2x3 as torch does (no antialias)', () => {
    const got = bilinearPlanes(x, 1, 3, 4, 2, 3);
    for (let i = 0; i < down.length; i++) expect(got[i]).toBeCloseTo(down[i], 6);
  });
  it('same size is the identity, and rounding is half to even', () => {
    expect([...bilinearPlanes(x, 1, 3, 4, 3, 4)]).toEqual([...x]);
    expect([0.5, 1.5, 2.5, -0.5, 0.49].map(roundHalfEven)).toEqual([0, 2, 2, -0, 0]);
  });
});
