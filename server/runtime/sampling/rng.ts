/**
 * Bit-compatible re-implementation of torch's CPU generator (`torch.manual_seed` + `torch.randn`),
 * so a seed yields the same initial latent noise as ComfyUI / A1111 on CPU.
 *
 * - Engine: mt19937 seeded with the low 32 bits of the seed (torch's `at::mt19937(uint64 seed)`).
 * - `random()` = one 32-bit output; `random64()` = (first << 32) | second.
 * - Uniform float: 24 low bits · 2^-24; uniform double: 53 low bits of random64() · 2^-53.
 * - randn with numel ≥ 16 (contiguous float32): torch's `normal_fill`: all uniforms first, then
 *   Box–Muller on 16-element chunks (u1 = 1 − data[j], u2 = data[j+8]); a ragged tail is redone by
 *   drawing 16 fresh uniforms into the last 16 slots.
 * - randn with numel < 16: the scalar `normal_distribution<double>` path, which caches the second
 *   Box–Muller value in the generator (reset by seeding).
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class TorchGenerator {
  private readonly state = new Uint32Array(N);
  private index = N;
  private nextDoubleNormal: number | null = null;
  readonly seed: bigint;

  constructor(seed: bigint | number) {
    const s = BigInt.asUintN(64, BigInt(seed));
    this.seed = s;
    const st = this.state;
    st[0] = Number(s & 0xffffffffn);
    for (let j = 1; j < N; j++) {
      const prev = st[j - 1];
      st[j] = Math.imul(1812433253, prev ^ (prev >>> 30)) + j;
    }
    this.index = N;
  }

  private twist(): void {
    const st = this.state;
    for (let i = 0; i < N; i++) {
      const y = (st[i] & UPPER_MASK) | (st[(i + 1) % N] & LOWER_MASK);
      st[i] = st[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }

  /** One raw 32-bit mt19937 output (tempered). */
  random(): number {
    if (this.index >= N) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** torch `uniform_real_distribution<float>(0,1)`: exact multiple of 2^-24 in [0,1). */
  uniformFloat(): number {
    return (this.random() & 0xffffff) / 16777216;
  }

  /** torch `uniform_real_distribution<double>(0,1)`: 53 low bits of random64() · 2^-53. */
  uniformDouble(): number {
    const hi = this.random();
    const lo = this.random();
    // (hi << 32 | lo) & (2^53 - 1) = (hi & 0x1fffff) · 2^32 + lo, exact in a double.
    return ((hi & 0x1fffff) * 4294967296 + lo) / 9007199254740992;
  }

  /** torch `normal_distribution<double>(0,1)` with its cached second value. */
  normalDouble(): number {
    if (this.nextDoubleNormal !== null) {
      const v = this.nextDoubleNormal;
      this.nextDoubleNormal = null;
      return v;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    const r = Math.sqrt(-2 * Math.log(1 - u2));
    const theta = 2 * Math.PI * u1;
    this.nextDoubleNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** `torch.randn(shape)` (float32, CPU generator). */
  randn(shape: readonly number[]): Float32Array {
    const size = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(size);
    if (size < 16) {
      for (let i = 0; i < size; i++) out[i] = this.normalDouble();
      return out;
    }
    for (let i = 0; i < size; i++) out[i] = this.uniformFloat();
    for (let i = 0; i + 16 <= size; i += 16) normalFill16(out, i);
    if (size % 16 !== 0) {
      const start = size - 16;
      for (let i = 0; i < 16; i++) out[start + i] = this.uniformFloat();
      normalFill16(out, start);
    }
    return out;
  }
}

const f = Math.fround;
const TWO_PI_F = Math.fround(2 * Math.PI);

/**
 * torch `normal_fill_16_AVX2` (the kernel x86 builds dispatch to): pairs element j with j+8 of a
 * 16-element chunk and uses avx_mathfun's cephes-style float32 `log256_ps` / `sincos256_ps`
 * rather than libm, which is why libm-based float math is off by an ulp here.
 */
function normalFill16(data: Float32Array, offset: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = f(1 - data[offset + j]);
    const u2 = data[offset + j + 8];
    const radius = f(Math.sqrt(f(-2 * logf(u1))));
    const theta = f(TWO_PI_F * u2);
    sincosf(theta);
    data[offset + j] = f(radius * sincosOut[1]);
    data[offset + j + 8] = f(radius * sincosOut[0]);
  }
}

/** float32 fused multiply-add: a·b is exact in a double for float operands. */
function fma(a: number, b: number, c: number): number {
  return f(a * b + c);
}

const scratchF = new Float32Array(1);
const scratchU = new Uint32Array(scratchF.buffer);

/** avx_mathfun `log256_ps` for one positive float32 lane. */
function logf(xIn: number): number {
  scratchF[0] = Math.max(xIn, 1.17549435e-38);
  const bits = scratchU[0];
  let e = f((bits >>> 23) - 0x7f);
  scratchU[0] = (bits & ~0x7f800000) | 0x3f000000;
  let x = scratchF[0];
  e = f(e + 1);
  const small = x < Math.SQRT1_2; // avx_mathfun SQRTHF 0.707106781186547524, the same double
  const tmp = small ? x : 0;
  x = f(x - 1);
  if (small) e = f(e - 1);
  x = f(x + tmp);
  const z = f(x * x);
  let y = f(7.0376836292e-2);
  y = fma(y, x, f(-1.151461031e-1));
  y = fma(y, x, f(1.167699874e-1));
  y = fma(y, x, f(-1.2420140846e-1));
  y = fma(y, x, f(1.4249322787e-1));
  y = fma(y, x, f(-1.6668057665e-1));
  y = fma(y, x, f(2.0000714765e-1));
  y = fma(y, x, f(-2.4999993993e-1));
  y = fma(y, x, f(3.3333331174e-1));
  y = f(y * x);
  y = fma(y, z, f(e * f(-2.1219444e-4)));
  y = fma(z, -0.5, y);
  x = f(x + y);
  x = fma(e, 0.693359375, x);
  return x;
}

/** [sin, cos] result of the last `sincosf` call (avoids allocating per element). */
const sincosOut = new Float64Array(2);

/** avx_mathfun `sincos256_ps` for one float32 lane. */
function sincosf(xIn: number): void {
  let x = Math.abs(xIn);
  let signSin = xIn < 0 || Object.is(xIn, -0);
  let k = Math.trunc(f(x * f(1.27323954473516)));
  k = (k + 1) & ~1;
  const y0 = k;
  const swapSin = (k & 4) !== 0;
  const polySin = (k & 2) === 0;
  x = fma(y0, -0.78515625, x);
  x = fma(y0, f(-2.4187564849853516e-4), x);
  x = fma(y0, f(-3.774894977445941e-8), x);
  const signCos = (~(k - 2) & 4) !== 0;
  signSin = signSin !== swapSin;
  const z = f(x * x);
  let yc = f(2.443315711809948e-5);
  yc = fma(yc, z, f(-1.388731625493765e-3));
  yc = fma(yc, z, f(4.166664568298827e-2));
  yc = f(yc * z);
  yc = fma(yc, z, -f(z * 0.5));
  yc = f(yc + 1);
  let ys = f(-1.9515295891e-4);
  ys = fma(ys, z, f(8.3321608736e-3));
  ys = fma(ys, z, f(-1.6666654611e-1));
  ys = f(ys * z);
  ys = fma(ys, x, x);
  const s = polySin ? ys : yc;
  const c = polySin ? yc : ys;
  sincosOut[0] = signSin ? -s : s;
  sincosOut[1] = signCos ? -c : c;
}
