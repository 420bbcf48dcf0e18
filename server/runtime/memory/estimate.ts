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
  const shapes = [[tileY * 2, Math.floor(tileX / 2)], [Math.floor(tileY / 2), tileX * 2], [tileY, tileX]];
  return Math.max(...shapes.map(([th, tw]) => bytes(Math.min(h, th), Math.min(w, tw))));
}
