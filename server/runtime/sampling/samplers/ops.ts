/** Elementwise helpers; each returns a fresh array so callers never alias sampler state. */

/** a·ca + b·cb */
export function lin(a: Float32Array, ca: number, b: Float32Array, cb: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * ca + b[i] * cb;
  return out;
}

/** x + d·dt */
export function axpy(x: Float32Array, d: Float32Array, dt: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + d[i] * dt;
  return out;
}

/** k-diffusion `to_d`: (x − denoised)/σ, the probability-flow ODE derivative dx/dσ. */
export function toD(x: Float32Array, sigma: number, denoised: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] - denoised[i]) / sigma;
  return out;
}

/** Σ cᵢ·aᵢ */
export function combine(terms: ReadonlyArray<readonly [Float32Array, number]>): Float32Array {
  const out = new Float32Array(terms[0][0].length);
  for (const [a, c] of terms) for (let i = 0; i < out.length; i++) out[i] += a[i] * c;
  return out;
}

/** k-diffusion `get_ancestral_step`: split σ→σ_next into a deterministic σ_down and fresh noise σ_up. */
export function ancestralStep(sigmaFrom: number, sigmaTo: number, eta = 1): { sigmaDown: number; sigmaUp: number } {
  if (!eta) return { sigmaDown: sigmaTo, sigmaUp: 0 };
  const sigmaUp = Math.min(sigmaTo, eta * Math.sqrt((sigmaTo ** 2 * (sigmaFrom ** 2 - sigmaTo ** 2)) / sigmaFrom ** 2));
  return { sigmaDown: Math.sqrt(sigmaTo ** 2 - sigmaUp ** 2), sigmaUp };
}

export const tFromSigma = (sigma: number): number => -Math.log(sigma);
export const sigmaFromT = (t: number): number => Math.exp(-t);

/** Solve the small dense system A·x = b (Gaussian elimination with partial pivoting). */
export function solveLinear(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const k = m[r][c] / m[c][c];
      for (let j = c; j <= n; j++) m[r][j] -= k * m[c][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let j = r + 1; j < n; j++) s -= m[r][j] * x[j];
    x[r] = s / m[r][r];
  }
  return x;
}

/** h·φ₁(h) = eʰ − 1 and h·φ₂(h) = (eʰ − 1 − h)/h, the exponential-integrator weights (k-diffusion `ei_h_phi_*`). */
export const eiHPhi1 = (h: number): number => Math.expm1(h);
export const eiHPhi2 = (h: number): number => (Math.expm1(h) - h) / h;
