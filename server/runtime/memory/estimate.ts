/**
 * Peak memory of one image through the SD VAE (fp32, standard attention), fitted to bench/vae-memory.ts on CPU
 * (docs/benchmarks.md): a fixed part (weights, runtime), a part per pixel (full-resolution activations) and the
 * mid-block attention's [T, T] scores, T = latent pixels. Conservative by design: it decides when to tile.
 */
const GB = 1e9;

/** bytes to decode one latent of h×w (latent units) with a VAE of `ch` base channels (SD's: 128) */
export function vaeDecodeBytes(h: number, w: number, ch = 128): number {
  const tokens = h * w;
  return 1.0 * GB + 1800 * (ch / 128) * tokens * 64 + 4 * tokens * tokens;
}

/** bytes to encode one image of h×w pixels */
export function vaeEncodeBytes(h: number, w: number, ch = 128): number {
  const tokens = Math.floor(h / 8) * Math.floor(w / 8);
  return 0.5 * GB + 1500 * (ch / 128) * h * w + 8 * tokens * tokens;
}

/** The largest of ComfyUI's three tilings' tiles (tall, wide, square), clipped to the image, through `bytes`. */
export function largestTileBytes(h: number, w: number, tileY: number, tileX: number, bytes: (h: number, w: number) => number): number {
  const shapes = [
    [tileY * 2, Math.floor(tileX / 2)],
    [Math.floor(tileY / 2), tileX * 2],
    [tileY, tileX],
  ];
  return Math.max(...shapes.map(([th, tw]) => bytes(Math.min(h, th), Math.min(w, tw))));
}

/**
 * Working memory (besides the weights) of one UNet call on `rows` latents of h×w, fitted to bench/lib/unet-peak.ts
 * for the SD1 UNet on CPU with fused attention: ~750 bytes per image pixel per row (584–737 measured at 1024²,
 * batch 2 and 4). The standard attention kernel also holds [rows, heads, T, T] scores and their softmax at the
 * first level with attention.
 */
export function unetWorkingBytes(
  cfg: { modelChannels: number; channelMult: number[]; transformerDepth: number[]; heads: { numHeads: number } | { headChannels: number } },
  h: number,
  w: number,
  rows: number,
  attention: 'fused' | 'standard',
): number {
  const base = 0.2 * GB + 750 * (cfg.modelChannels / 320) * 64 * h * w * rows;
  if (attention === 'fused') return base;
  const level = cfg.transformerDepth.findIndex((d) => d > 0);
  if (level < 0) return base;
  const tokens = Math.ceil(h / 2 ** level) * Math.ceil(w / 2 ** level);
  const width = cfg.modelChannels * (cfg.channelMult[level] ?? 1);
  const heads = 'numHeads' in cfg.heads ? cfg.heads.numHeads : Math.max(1, Math.floor(width / cfg.heads.headChannels));
  return base + 2 * 4 * rows * heads * tokens * tokens;
}
