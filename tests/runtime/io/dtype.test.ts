import { describe, expect, it } from 'vitest';
import { f16BitsToFloat, f32ToF16Number, float32ToBF16, float32ToF16, toFloat32 } from '@/server/runtime/io/dtype';

describe('toFloat32', () => {
  it('converts all 65536 f16 patterns like the reference formula', () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const out = toFloat32(new Uint8Array(bits.buffer), 'F16');
    let nan = 0;
    for (let h = 0; h < 65536; h++) {
      const want = f16BitsToFloat(h);
      if (Number.isNaN(want)) {
        expect(Number.isNaN(out[h])).toBe(true);
        nan++;
      } else {
        expect(Object.is(out[h], want), `pattern 0x${h.toString(16)}`).toBe(true);
      }
    }
    expect(nan).toBe(2 * 1023);
    expect(out[0x7c00]).toBe(Infinity);
    expect(out[0xfc00]).toBe(-Infinity);
    expect(out[0x0001]).toBe(2 ** -24);
    expect(Object.is(out[0x8000], -0)).toBe(true);
    expect(out[0x3c00]).toBe(1);
    expect(out[0x7bff]).toBe(65504);
  });
  it('round-trips every finite f16 through float32ToF16', () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const back = float32ToF16(toFloat32(new Uint8Array(bits.buffer), 'F16'));
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) expect(back[h] & 0x7e00).toBe(0x7e00);
      else expect(back[h]).toBe(h);
    }
  });
  it('handles unaligned input by copying', () => {
    const buf = new Uint8Array(9);
    new DataView(buf.buffer).setFloat32(1, 1.5, true);
    new DataView(buf.buffer).setFloat32(5, -2, true);
    expect(Array.from(toFloat32(buf.subarray(1), 'F32'))).toEqual([1.5, -2]);
    const h = new Uint8Array([0, 0x00, 0x3c, 0x00, 0xc0]);
    expect(Array.from(toFloat32(h.subarray(1), 'F16'))).toEqual([1, -2]);
  });
  it('converts bf16, f64 and integer dtypes', () => {
    expect(Array.from(toFloat32(new Uint8Array(new Uint16Array([0x3f80, 0xc000]).buffer), 'BF16'))).toEqual([1, -2]);
    expect(Array.from(toFloat32(new Uint8Array(new Float64Array([0.5, 1e300]).buffer), 'F64'))).toEqual([0.5, Infinity]);
    expect(Array.from(toFloat32(new Uint8Array(new BigInt64Array([-3n, 76n]).buffer), 'I64'))).toEqual([-3, 76]);
    expect(Array.from(toFloat32(new Uint8Array(new Int32Array([-7]).buffer), 'I32'))).toEqual([-7]);
    expect(Array.from(toFloat32(new Uint8Array([255, 1]), 'I8'))).toEqual([-1, 1]);
    expect(Array.from(toFloat32(new Uint8Array([255, 0]), 'U8'))).toEqual([255, 0]);
    expect(Array.from(toFloat32(new Uint8Array([2, 0]), 'BOOL'))).toEqual([1, 0]);
  });
  it('rejects a byte count that is not whole elements', () => {
    expect(() => toFloat32(new Uint8Array(3), 'F16')).toThrow(RangeError);
  });
});

describe('float32ToF16 rounding (torch .half())', () => {
  const cases: [number, number][] = [
    [1, 0x3c00],
    [1 + 2 ** -11, 0x3c00], // halfway, ties to even (down)
    [1 + 3 * 2 ** -11, 0x3c02], // halfway, ties to even (up)
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above halfway
    [65504, 0x7bff],
    [65519.99, 0x7bff],
    [65520, 0x7c00], // rounds to Inf
    [1e10, 0x7c00],
    [-1e10, 0xfc00],
    [2 ** -24, 0x0001],
    [2 ** -25, 0x0000], // halfway to the smallest subnormal, ties to even (0)
    [2 ** -25 * 1.0001, 0x0001],
    [3 * 2 ** -25, 0x0002], // halfway between 1 and 2 subnormal units -> even
    [2 ** -14 - 2 ** -25, 0x0400], // rounds up into the smallest normal
    [2 ** -26, 0x0000],
    [-0, 0x8000],
    [Infinity, 0x7c00],
    [NaN, 0x7e00],
    [0.1, 0x2e66],
    [-2.5, 0xc100],
  ];
  for (const [v, h] of cases) {
    it(`${v} -> 0x${h.toString(16)}`, () => {
      expect(f32ToF16Number(v)).toBe(h);
      expect(float32ToF16(new Float32Array([v]))[0]).toBe(h);
    });
  }
});

describe('float32ToBF16', () => {
  it('rounds to nearest even and canonicalises NaN', () => {
    const f = new Float32Array(new Uint32Array([0x3f808000, 0x3f818000, 0x3f808001, 0x7f800001, 0xff800000]).buffer);
    expect(Array.from(float32ToBF16(f))).toEqual([0x3f80, 0x3f82, 0x3f81, 0x7fc0, 0xff80]);
  });
});
