/**
 * torch.nn.functional.interpolate(mode="bilinear", align_corners=False, antialias=False) on [N, H, W] planes, in
 * float32 step by step as torch's CPU kernel computes it, so masks ComfyUI resizes this way match it exactly.
 */
const f = Math.fround;

interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  l0: Float32Array;
  l1: Float32Array;
}

function taps(inSize: number, outSize: number): Taps {
  const scale = f(inSize / outSize);
  const t: Taps = { i0: new Int32Array(outSize), i1: new Int32Array(outSize), l0: new Float32Array(outSize), l1: new Float32Array(outSize) };
  for (let d = 0; d < outSize; d++) {
    const src = Math.max(0, f(f(f(d + 0.5) * scale) - 0.5));
    const i0 = Math.floor(src);
    const l1 = f(src - i0);
    t.i0[d] = i0;
    t.i1[d] = i0 + (i0 < inSize - 1 ? 1 : 0);
    t.l1[d] = l1;
    t.l0[d] = f(1 - l1);
  }
  return t;
}

export function bilinearPlanes(data: Float32Array, n: number, h: number, w: number, oh: number, ow: number): Float32Array {
  if (oh === h && ow === w) return data.slice();
  const ty = taps(h, oh);
  const tx = taps(w, ow);
  const out = new Float32Array(n * oh * ow);
  for (let p = 0; p < n; p++) {
    const src = p * h * w;
    for (let y = 0; y < oh; y++) {
      const r0 = src + ty.i0[y] * w;
      const r1 = src + ty.i1[y] * w;
      for (let x = 0; x < ow; x++) {
        const a = f(f(tx.l0[x] * data[r0 + tx.i0[x]]) + f(tx.l1[x] * data[r0 + tx.i1[x]]));
        const b = f(f(tx.l0[x] * data[r1 + tx.i0[x]]) + f(tx.l1[x] * data[r1 + tx.i1[x]]));
        out[(p * oh + y) * ow + x] = f(f(ty.l0[y] * a) + f(ty.l1[y] * b));
      }
    }
  }
  return out;
}

/** torch.round: half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
