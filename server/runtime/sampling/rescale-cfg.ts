/**
 * ComfyUI's RescaleCFG (comfy_extras/nodes_model_advanced.py; Lin et al. 2023, "Common diffusion noise schedules
 * and sample steps are flawed", §3.4): guidance in v-space, rescaled so its per-sample std matches the conditional
 * prediction's, blended by `multiplier`. Inputs are denoised (x0) predictions; returns the guided denoised value.
 * Wire it as `cfgDenoiser`'s postCfg: `(a) => rescaleCfg({ ...a, cfg, multiplier, shape })`.
 */

export interface RescaleCfgArgs {
  /** The noisy latent being denoised (ComfyUI's `input`), batch first. */
  x: Float32Array;
  sigma: number;
  condDenoised: Float32Array;
  uncondDenoised: Float32Array;
  cfg: number;
  /** 0 = plain CFG, 1 = fully rescaled (ComfyUI's default 0.7). */
  multiplier: number;
  /** [B, C, H, W]: the std is taken per batch row. */
  shape: readonly number[];
}

/** torch.std (unbiased) of a[off, off + n). */
function std(a: Float64Array, off: number, n: number): number {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += a[off + i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (a[off + i] - mean) ** 2;
  return Math.sqrt(ss / (n - 1));
}

export function rescaleCfg(a: RescaleCfgArgs): Float32Array {
  const { x, sigma, condDenoised: c, uncondDenoised: u, cfg, multiplier } = a;
  const n = x.length;
  if (c.length !== n || u.length !== n) throw new Error(`rescaleCfg: cond/uncond have ${c.length}/${u.length} values, the latent ${n}`);
  const batch = a.shape[0] ?? 1;
  if (batch < 1 || n % batch !== 0) throw new Error(`rescaleCfg: shape [${a.shape.join(', ')}] does not fit ${n} values`);
  const s2 = sigma * sigma;
  const toV = Math.sqrt(s2 + 1) / sigma;
  const xs = new Float64Array(n); // x / (σ² + 1): the x0 part of the v-parameterisation
  const condV = new Float64Array(n);
  const cfgV = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = x[i] / (s2 + 1);
    condV[i] = (xs[i] - c[i]) * toV;
    const uncondV = (xs[i] - u[i]) * toV;
    cfgV[i] = uncondV + cfg * (condV[i] - uncondV);
  }
  const per = n / batch;
  const out = new Float32Array(n);
  const back = sigma / Math.sqrt(s2 + 1);
  for (let b = 0; b < batch; b++) {
    const ratio = std(condV, b * per, per) / std(cfgV, b * per, per);
    for (let i = b * per; i < (b + 1) * per; i++) {
      const vFinal = multiplier * cfgV[i] * ratio + (1 - multiplier) * cfgV[i];
      out[i] = xs[i] - vFinal * back;
    }
  }
  return out;
}
