/** A small dense fp32 tensor for adapter maths (row-major). */
export interface Dense {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export function numelOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Collapse every dimension after the first (torch `flatten(1)`). */
export function flatten1(t: Dense): Dense {
  return { data: t.data, shape: [t.shape[0], numelOf(t.shape.slice(1))] };
}

export function transpose2d(t: Dense): Dense {
  const [m, n] = t.shape;
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = t.data[i * n + j];
  return { data: out, shape: [n, m] };
}

/** [m,k] @ [k,n]; accumulates in double, rounds once to fp32. */
export function matmul(a: Dense, b: Dense): Dense {
  if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[1] !== b.shape[0]) {
    throw new Error(`matmul shape mismatch [${a.shape}] @ [${b.shape}]`);
  }
  const [m, k] = a.shape;
  const n = b.shape[1];
  const out = new Float32Array(m * n);
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const av = a.data[i * k + p];
      if (av === 0) continue;
      const off = p * n;
      for (let j = 0; j < n; j++) row[j] += av * b.data[off + j];
    }
    out.set(row, i * n);
  }
  return { data: out, shape: [m, n] };
}

export function hadamard(a: Dense, b: Dense): Dense {
  if (a.data.length !== b.data.length) throw new Error(`elementwise shape mismatch [${a.shape}] * [${b.shape}]`);
  const out = new Float32Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] * b.data[i];
  return { data: out, shape: a.shape };
}

/** Kronecker product of two tensors of equal rank (torch.kron). */
export function kron(a: Dense, b: Dense): Dense {
  if (a.shape.length !== b.shape.length) throw new Error(`kron rank mismatch [${a.shape}] x [${b.shape}]`);
  const rank = a.shape.length;
  const shape = a.shape.map((d, i) => d * b.shape[i]);
  const out = new Float32Array(numelOf(shape));
  const strides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  const ia = new Array<number>(rank).fill(0);
  for (let pa = 0; pa < a.data.length; pa++) {
    const av = a.data[pa];
    const ib = new Array<number>(rank).fill(0);
    for (let pb = 0; pb < b.data.length; pb++) {
      let o = 0;
      for (let d = 0; d < rank; d++) o += (ia[d] * b.shape[d] + ib[d]) * strides[d];
      out[o] = av * b.data[pb];
      for (let d = rank - 1; d >= 0; d--) {
        if (++ib[d] < b.shape[d]) break;
        ib[d] = 0;
      }
    }
    for (let d = rank - 1; d >= 0; d--) {
      if (++ia[d] < a.shape[d]) break;
      ia[d] = 0;
    }
  }
  return { data: out, shape };
}

/**
 * CP/Tucker rebuild used by LoHa and LoKr: out[p,r,k,l] = Σ_i Σ_j t[i,j,k,l]·b[j,r]·a[i,p]
 * (einsum 'i j k l, j r, i p -> p r k l'); `a` is [I,P], `b` is [J,R], `t` is [I,J,...spatial].
 */
export function tuckerRebuild(t: Dense, b: Dense, a: Dense): Dense {
  const [I, J] = t.shape;
  const spatial = t.shape.slice(2);
  const S = numelOf(spatial);
  const [Ia, P] = a.shape;
  const [Jb, R] = b.shape;
  if (Ia !== I || Jb !== J) throw new Error(`tucker shape mismatch t[${t.shape}] b[${b.shape}] a[${a.shape}]`);
  // temp[i, r, s] = Σ_j t[i,j,s] b[j,r]
  const temp = new Float64Array(I * R * S);
  for (let i = 0; i < I; i++)
    for (let j = 0; j < J; j++)
      for (let r = 0; r < R; r++) {
        const bv = b.data[j * R + r];
        const tOff = (i * J + j) * S;
        const oOff = (i * R + r) * S;
        for (let s = 0; s < S; s++) temp[oOff + s] += t.data[tOff + s] * bv;
      }
  const out = new Float32Array(P * R * S);
  const acc = new Float64Array(R * S);
  for (let p = 0; p < P; p++) {
    acc.fill(0);
    for (let i = 0; i < I; i++) {
      const av = a.data[i * P + p];
      const off = i * R * S;
      for (let q = 0; q < R * S; q++) acc[q] += av * temp[off + q];
    }
    out.set(acc, p * R * S);
  }
  return { data: out, shape: [P, R, ...spatial] };
}
