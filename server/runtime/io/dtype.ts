import { DTYPE_SIZE, type DType } from './tensor';

/**
 * Every f16 bit pattern -> its f32 bit pattern; built once (256 KiB), then conversion is one integer lookup
 * per element (integer copies skip the float registers, so NaN payloads survive and the loop is faster).
 */
let f16Table: Uint32Array | undefined;

export function f16BitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function table(): Uint32Array {
  if (f16Table) return f16Table;
  const bits = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) bits[h] = f16BitsToF32Bits(h);
  f16Table = bits;
  return f16Table;
}

function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // subnormal: normalise the mantissa
  let e = 113;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

/** A typed view when the bytes are aligned for it, else an aligned copy (typed arrays require alignment). */
function aligned(bytes: Uint8Array, size: number): ArrayBuffer | SharedArrayBuffer {
  if (bytes.byteOffset % size === 0) return bytes.buffer;
  return bytes.slice().buffer;
}

function view<T>(bytes: Uint8Array, size: number, make: (b: ArrayBufferLike, off: number, len: number) => T): T {
  const len = bytes.byteLength / size;
  if (bytes.byteOffset % size === 0) return make(bytes.buffer, bytes.byteOffset, len);
  return make(aligned(bytes, size), 0, len);
}

/** Converts little-endian raw tensor bytes of any supported dtype to fp32 values. */
export function toFloat32(bytes: Uint8Array, dtype: DType): Float32Array {
  const size = DTYPE_SIZE[dtype];
  if (bytes.byteLength % size !== 0) {
    throw new RangeError(`${bytes.byteLength} bytes is not a whole number of ${dtype} elements`);
  }
  switch (dtype) {
    case 'F32':
      // always a copy: callers may keep or mutate the result
      return view(bytes, 4, (b, o, l) => new Float32Array(b, o, l)).slice();
    case 'F16': {
      const src = view(bytes, 2, (b, o, l) => new Uint16Array(b, o, l));
      const t = table();
      const out = new Uint32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = t[src[i]];
      return new Float32Array(out.buffer);
    }
    case 'BF16': {
      const src = view(bytes, 2, (b, o, l) => new Uint16Array(b, o, l));
      const out = new Uint32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = src[i] << 16;
      return new Float32Array(out.buffer);
    }
    case 'F64':
      return Float32Array.from(view(bytes, 8, (b, o, l) => new Float64Array(b, o, l)));
    case 'I64': {
      const src = view(bytes, 8, (b, o, l) => new BigInt64Array(b, o, l));
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
      return out;
    }
    case 'U64': {
      const src = view(bytes, 8, (b, o, l) => new BigUint64Array(b, o, l));
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
      return out;
    }
    case 'I32':
      return Float32Array.from(view(bytes, 4, (b, o, l) => new Int32Array(b, o, l)));
    case 'U32':
      return Float32Array.from(view(bytes, 4, (b, o, l) => new Uint32Array(b, o, l)));
    case 'I16':
      return Float32Array.from(view(bytes, 2, (b, o, l) => new Int16Array(b, o, l)));
    case 'U16':
      return Float32Array.from(view(bytes, 2, (b, o, l) => new Uint16Array(b, o, l)));
    case 'I8':
      return Float32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    case 'U8':
      return Float32Array.from(bytes);
    case 'BOOL': {
      const out = new Float32Array(bytes.length);
      for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] ? 1 : 0;
      return out;
    }
  }
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** f32 bit pattern -> f16 bit pattern, round to nearest even (torch's `.half()`). */
export function f32BitsToF16(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // rebias 127 -> 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // result is subnormal (or zero): value = full * 2^(exp-150) = m * 2^-24
    const shift = 14 - e;
    if (shift > 24) return sign;
    const full = mant | 0x800000;
    let m = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (m & 1) !== 0)) m++;
    return sign | m;
  }
  let h = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // a carry out of the mantissa correctly bumps the exponent (up to Inf)
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) !== 0)) h++;
  return h;
}

export function float32ToF16(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const x = bits[i];
    const e = (x >>> 23) & 0xff;
    // inline fast path for results that are normal f16 numbers; the rest (subnormal, overflow, NaN) call out
    if (e > 112 && e < 142) {
      const m = x & 0x7fffff;
      let h = ((x >>> 16) & 0x8000) | ((e - 112) << 10) | (m >>> 13);
      const rem = m & 0x1fff;
      if (rem > 0x1000 || (rem === 0x1000 && (h & 1) !== 0)) h++;
      out[i] = h;
    } else {
      out[i] = f32BitsToF16(x);
    }
  }
  return out;
}

/** Round to nearest even like torch; every NaN becomes torch's canonical 0x7FC0. */
export function float32ToBF16(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const x = bits[i];
    if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) out[i] = 0x7fc0;
    else out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}

export function f32ToF16Number(v: number): number {
  scratch[0] = v;
  return f32BitsToF16(scratchBits[0]);
}

/** Whether this host stores typed arrays little-endian (every reader here assumes it). */
export const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
