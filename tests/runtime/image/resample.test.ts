/**
 * ComfyUI's bislerp and lanczos, and common_upscale's centre crop and rounding. Expected values are tiny reference vectors from the golden harness's Python (ComfyUI comfy/utils.py on torch 1.13 and Pillow 9.4), computed on
 * formula inputs by /work/ref/gen/image-nodes/unit_vectors.py (outside the repo) and inlined here.
 */
import { describe, expect, it } from 'vitest';
import { bislerp } from '../../../server/runtime/image/bislerp';
import { centerCropBox, commonUpscale, pyRound } from '../../../server/runtime/image/common-upscale';
import { lanczos, lanczosCoeffs } from '../../../server/runtime/image/lanczos';
import type { FloatTensor } from '../../../server/runtime/values';

function formula(shape: number[], mul: number, mod: number, div: number, off: number): FloatTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, (_, i) => Math.fround(Math.fround(((i * mul) % mod) / div) - off)) };
}
const image = (h: number, w: number, c: number, mul: number): FloatTensor => ({
  shape: [1, h, w, c],
  data: Float32Array.from({ length: h * w * c }, (_, i) => Math.fround(((i * mul) % 256) / 255)),
});

const BISLERP = [
  -5.0, -4.47528600692749, -0.4444446563720703, 3.3575284481048584, 4.111110687255859, -3.9073739051818848, -2.9278855323791504, 1.9471359252929688,
  -1.2523109912872314, -0.014611517079174519, -2.1111111640930176, 0.766915500164032, 2.4444446563720703, -3.8797192573547363, -3.777777671813965,
  0.7777776718139648, 3.78428053855896, 5.3333330154418945, 2.348003625869751, -0.8888888955116272, 2.5408437252044678, 4.714664936065674,
  1.1669437885284424, -0.48776260018348694, 2.232769250869751, 3.6666667461395264, 1.6435954570770264, -2.555555582046509, -2.377387046813965, 2.0,
  -4.222222328186035, -3.3634212017059326, 0.33333349227905273, 4.498600482940674, 4.888889312744141, -3.0393447875976562, 0.5960386991500854,
  3.171316623687744, 5.968566417694092, 2.7951040267944336, -1.3333332538604736, 3.4393808841705322, 3.222222328186035, 1.4192843437194824, -3.0,
  1.5555553436279297, -1.426399827003479, -4.666666507720947, -2.8368582725524902, -0.11111117154359818, 3.4088728427886963, 3.043854236602783,
  -4.6984171867370605, 0.6462308764457703, 5.042481899261475, 4.44444465637207, 4.316061496734619, -1.7777777910232544, 2.921616554260254,
  2.777777671813965,
];
const LANCZOS_RGB = [
  1, 40, 122, 104, 167, 39, 147, 246, 48, 66, 119, 172, 213, 14, 98, 216, 87, 106, 114, 192, 184, 25, 92, 159, 137, 105, 76, 196, 146, 82, 103, 156,
  209, 113, 60, 165, 154, 129, 44, 166, 250, 0, 62, 144, 195, 169, 42, 112, 245, 44, 119, 139, 192, 245, 12, 139, 198, 91, 63, 90, 218, 62, 50,
];
const LANCZOS_RGBA = [
  1, 63, 134, 214, 16, 85, 161, 255, 29, 97, 178, 222, 13, 65, 209, 39, 0, 4, 7, 0, 49, 192, 255, 41, 8, 141, 230, 94, 17, 148, 154, 117, 62, 199, 72,
  119, 187, 255, 6, 76, 212, 113, 64, 103, 181, 21, 98, 142, 232, 76, 158, 124, 255, 85, 103, 128, 226, 124, 85, 170, 83, 147, 129, 223, 95, 90, 124,
  149, 227, 0, 78, 75, 200, 37, 106, 149, 255, 51, 133, 158, 200, 76, 163, 193, 52, 94, 159, 214, 16, 141, 139, 106, 187, 255, 40, 19, 10, 214, 244,
  25, 34, 213, 255, 37, 82, 220, 233, 59, 150, 224, 13, 76, 167, 232, 13, 111, 164, 233, 57, 133,
];
const CROP_BOXES: Record<string, number[]> = {
  '80,48,64,64': [16, 0, 48, 48],
  '80,48,40,56': [23, 0, 34, 48],
  '8,8,12,8': [0, 1, 8, 6],
  '7,5,3,3': [1, 0, 5, 5],
  '100,33,10,7': [26, 0, 48, 33],
  '10,10,5,5': [0, 0, 10, 10],
};

describe('bislerp', () => {
  it('slerps channel vectors along W then H as ComfyUI (within float32 trigonometry, 1e-6 of the magnitude)', () => {
    const out = bislerp(formula([1, 4, 2, 3], 41, 97, 9, 5), 3, 5);
    expect(out.shape).toEqual([1, 4, 3, 5]);
    const scale = Math.max(...BISLERP.map(Math.abs));
    for (const [i, v] of BISLERP.entries()) expect(Math.abs(out.data[i] - v), `[${i}]`).toBeLessThanOrEqual(1e-6 * scale);
  });

  it('keeps a vector where both neighbours are the same, and lerps opposite ones', () => {
    const same = { shape: [1, 2, 1, 2], data: Float32Array.from([3, 3, 4, 4]) };
    expect(Array.from(bislerp(same, 1, 5).data)).toEqual([3, 3, 3, 3, 3, 4, 4, 4, 4, 4]);
    const opposite = { shape: [1, 2, 1, 2], data: Float32Array.from([1, -1, 0, 0]) };
    // along W, pixel 1 lies halfway between (1, 0) and (−1, 0): the lerp gives 0 where a slerp is undefined
    expect(bislerp(opposite, 1, 3).data[1]).toBeCloseTo(0, 6);
  });
});

describe('lanczos (Pillow through 8 bits)', () => {
  it('matches ComfyUI + Pillow byte for byte on RGB, and on RGBA resized premultiplied', () => {
    const rgb = lanczos(image(4, 5, 3, 53), 'nhwc', 3, 7);
    expect(Array.from(rgb.data, (v) => Math.round(v * 255))).toEqual(LANCZOS_RGB);
    expect(Array.from(rgb.data)).toEqual(LANCZOS_RGB.map((b) => Math.fround(b / 255)));
    const rgba = lanczos(image(4, 4, 4, 71), 'nhwc', 5, 6);
    expect(Array.from(rgba.data, (v) => Math.round(v * 255))).toEqual(LANCZOS_RGBA);
  });

  it('fixed-point weights of each output pixel sum to one (2^22) within rounding', () => {
    for (const [a, b] of [
      [5, 7],
      [7, 3],
      [100, 37],
    ]) {
      const c = lanczosCoeffs(a, b);
      for (let o = 0; o < b; o++) {
        let s = 0;
        for (let k = 0; k < c.count[o]; k++) s += c.k[o * c.ksize + k];
        expect(Math.abs(s - 2 ** 22)).toBeLessThanOrEqual(c.count[o]);
      }
    }
  });

  it('refuses channel counts Pillow has no mode for', () => {
    expect(() => lanczos({ shape: [1, 2, 2, 2], data: new Float32Array(8) }, 'nhwc', 3, 3)).toThrow(/1, 3 or 4 channels/);
  });
});

describe('common_upscale', () => {
  it('rounds as Python does (halves to even) and crops the centre to the new aspect as ComfyUI', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001, 12].map(pyRound)).toEqual([0, 2, 2, -0, -2, 2, 3, 12]);
    for (const [k, box] of Object.entries(CROP_BOXES)) {
      const [ow, oh, w, h] = k.split(',').map(Number);
      const b = centerCropBox(ow, oh, w, h);
      expect([b.x, b.y, b.w, b.h], k).toEqual(box);
    }
  });

  it('bislerp resizes latents only, and an empty target is refused', () => {
    const img = image(4, 4, 3, 53);
    expect(() => commonUpscale(img, 'nhwc', 8, 8, 'bislerp', 'disabled')).toThrow(/latents/);
    expect(() => commonUpscale(img, 'nhwc', 0, 8, 'bilinear', 'disabled')).toThrow(/at least 1/);
  });
});
