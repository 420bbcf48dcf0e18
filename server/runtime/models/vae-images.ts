/** ComfyUI VAEDecode / VAEEncode around the VAE runtime: layouts [B,H,W,3] 0..1 ↔ [B,3,H,W] −1..1. */
import type { ModelCache } from '../model-cache';
import type { ImageValue, LatentValue } from '../values';
import type { VaeHandle } from '../handles';
import { vaeFor } from './cached';
import type { F32Tensor } from './index';
import { tiledScale, tileCount } from './tiled';
import { gib, isOutOfMemory, MEMORY_ENV, MemoryLimitError, memoryBudget } from '../memory/budget';
import { largestTileBytes, vaeDecodeBytes, vaeEncodeBytes } from '../memory/estimate';
import { resolveDevice } from '../onnx/session';

/** VAE tile sizes in latent units (ComfyUI's decode_tiled_ / encode_tiled_ arguments, before its 3 passes). */
export interface VaeTiles {
  tileX: number;
  tileY: number;
  overlap: number;
}

/** ComfyUI's decode_tiled_ defaults, what it falls back to when a decode runs out of memory (latent units). */
export const FALLBACK_TILES: VaeTiles = { tileX: 64, tileY: 64, overlap: 16 };
/** ComfyUI's encode_tiled_ defaults (pixels). */
export const ENCODE_FALLBACK_TILES: VaeTiles = { tileX: 512, tileY: 512, overlap: 64 };

export interface DecodeOptions {
  /** a warning on the node (e.g. "decoding in tiles") */
  warn?(message: string): void;
  onTile?(done: number, total: number): void;
}

/**
 * VAE-space latent (as LATENT carries it) → IMAGE clamp((x + 1) / 2, 0, 1), channels last. As ComfyUI: the batch is
 * decoded in as many images at a time as the memory budget allows, and an image too big for it (by estimate, or
 * by an allocation failure) is decoded in tiles instead, with a warning.
 */
export async function decodeLatent(models: ModelCache, vae: VaeHandle, latent: LatentValue, o: DecodeOptions = {}): Promise<ImageValue> {
  const runtime = await vaeFor(models, vae);
  checkLatent(latent, runtime.config.embedDim);
  const [b, c, h, w] = latent.samples.shape;
  const budget = memoryBudget(await resolveDevice());
  const bytes = (th: number, tw: number) => vaeDecodeBytes(th, tw, runtime.config.ch);
  const perImage = bytes(h, w);
  const tiled = (why: string) => {
    const perTile = largestTileBytes(h, w, FALLBACK_TILES.tileY, FALLBACK_TILES.tileX, bytes);
    if (perTile > budget) {
      throw new MemoryLimitError(
        `decoding needs about ${gib(perTile)} even in tiles and ${gib(budget)} is available (${MEMORY_ENV} or free memory); free memory or raise ${MEMORY_ENV}`,
      );
    }
    o.warn?.(`a ${w * 8}x${h * 8} image ${why}: decoding in tiles (as ComfyUI does when memory runs out)`);
    return decodeLatentTiled(models, vae, latent, FALLBACK_TILES, o.onTile);
  };
  if (perImage > budget) return tiled(`needs about ${gib(perImage)} to decode and ${gib(budget)} is available`);
  const chunk = Math.max(1, Math.min(b, Math.floor(budget / perImage)));
  const per = c * h * w;
  const parts: ImageValue[] = [];
  try {
    for (let i = 0; i < b; i += chunk) {
      const n = Math.min(chunk, b - i);
      parts.push(toImage(await runtime.decode({ data: latent.samples.data.subarray(i * per, (i + n) * per), shape: [n, c, h, w] })));
    }
  } catch (e) {
    if (!isOutOfMemory(e)) throw e;
    return tiled('ran out of memory');
  }
  return concatImages(parts);
}

function concatImages(parts: ImageValue[]): ImageValue {
  if (parts.length === 1) return parts[0];
  const [, h, w, ch] = parts[0].shape;
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { shape: [data.length / (h * w * ch), h, w, ch], data };
}

/**
 * ComfyUI's decode_tiled_: three tilings (tall, wide, square tiles) blended and averaged, then clamped. Memory is
 * bounded by one tile's decode whatever the image size.
 */
export async function decodeLatentTiled(
  models: ModelCache,
  vae: VaeHandle,
  latent: LatentValue,
  t: VaeTiles,
  onTile?: (done: number, total: number) => void,
): Promise<ImageValue> {
  const runtime = await vaeFor(models, vae);
  checkLatent(latent, runtime.config.embedDim);
  const z: F32Tensor = { data: latent.samples.data, shape: [...latent.samples.shape] };
  const [b, , h, w] = z.shape;
  const passes = [
    { tileX: Math.floor(t.tileX / 2), tileY: t.tileY * 2 },
    { tileX: t.tileX * 2, tileY: Math.floor(t.tileY / 2) },
    { tileX: t.tileX, tileY: t.tileY },
  ];
  const total = passes.reduce((n, p) => n + b * tileCount(w, h, p.tileX, p.tileY, t.overlap), 0);
  let done = 0;
  const tick = () => onTile?.(++done, total);
  const decode = (tile: F32Tensor) => runtime.decode(tile);
  const outs: F32Tensor[] = [];
  for (const p of passes) outs.push(await tiledScale(z, decode, { ...p, overlap: t.overlap, scale: 8, outChannels: 3, onTile: tick }));
  return toImage(averageOf(outs));
}

/** (a + b + c) / 3 in float32, in ComfyUI's order. */
function averageOf(ts: F32Tensor[]): F32Tensor {
  const out = new Float32Array(ts[0].data.length);
  for (const t of ts) for (let i = 0; i < out.length; i++) out[i] += t.data[i];
  for (let i = 0; i < out.length; i++) out[i] /= 3;
  return { shape: ts[0].shape, data: out };
}

function checkLatent(latent: LatentValue, embedDim: number): void {
  const shape = latent.samples.shape;
  if (shape.length !== 4 || shape[1] !== embedDim)
    throw new Error(`latent has shape [${shape.join(', ')}], this VAE takes [batch, ${embedDim}, height, width]`);
}

/** Raw decoder output [B,3,H,W] about −1..1 → IMAGE [B,H,W,3] clamp((x + 1) / 2, 0, 1). */
function toImage(img: F32Tensor): ImageValue {
  const [b, c, h, w] = img.shape;
  const out = new Float32Array(b * h * w * 3);
  const plane = h * w;
  for (let n = 0; n < b; n++) {
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < 3; k++) {
        const v = (img.data[(n * c + k) * plane + p] + 1) / 2;
        out[(n * plane + p) * 3 + k] = Math.min(Math.max(v, 0), 1);
      }
    }
  }
  return { shape: [b, h, w, 3], data: out };
}

/**
 * IMAGE → VAE-space latent: crop to a multiple of 8 centred (vae_encode_crop_pixels), x·2 − 1,
 * posterior mean (ComfyUI's encode is deterministic).
 */
/**
 * IMAGE → VAE-space latent: crop to a multiple of 8 centred (vae_encode_crop_pixels), x·2 − 1, posterior mean
 * (ComfyUI's encode is deterministic). Batched and tiled under the memory budget as decodeLatent.
 */
export async function encodeImage(models: ModelCache, vae: VaeHandle, image: ImageValue, o: DecodeOptions = {}): Promise<LatentValue> {
  const pixels = toPixels(image);
  const runtime = await vaeFor(models, vae);
  const [b, c, h, w] = pixels.shape;
  const budget = memoryBudget(await resolveDevice());
  const bytes = (th: number, tw: number) => vaeEncodeBytes(th, tw, runtime.config.ch);
  const perImage = bytes(h, w);
  const tiled = (why: string) => {
    const perTile = largestTileBytes(h, w, ENCODE_FALLBACK_TILES.tileY, ENCODE_FALLBACK_TILES.tileX, bytes);
    if (perTile > budget) {
      throw new MemoryLimitError(
        `encoding needs about ${gib(perTile)} even in tiles and ${gib(budget)} is available (${MEMORY_ENV} or free memory); free memory or raise ${MEMORY_ENV}`,
      );
    }
    o.warn?.(`a ${w}x${h} image ${why}: encoding in tiles (as ComfyUI does when memory runs out)`);
    return encodeImageTiled(models, vae, image, ENCODE_FALLBACK_TILES, o.onTile);
  };
  if (perImage > budget) return tiled(`needs about ${gib(perImage)} to encode and ${gib(budget)} is available`);
  const chunk = Math.max(1, Math.min(b, Math.floor(budget / perImage)));
  const per = c * h * w;
  const parts: F32Tensor[] = [];
  try {
    for (let i = 0; i < b; i += chunk) {
      const n = Math.min(chunk, b - i);
      parts.push((await runtime.encode({ data: pixels.data.subarray(i * per, (i + n) * per), shape: [n, c, h, w] })).mean);
    }
  } catch (e) {
    if (!isOutOfMemory(e)) throw e;
    return tiled('ran out of memory');
  }
  const [, lc, lh, lw] = parts[0].shape;
  const data = parts.length === 1 ? parts[0].data : new Float32Array(b * lc * lh * lw);
  if (parts.length > 1) {
    let at = 0;
    for (const p of parts) {
      data.set(p.data, at);
      at += p.data.length;
    }
  }
  return { samples: { shape: [b, lc, lh, lw], data } };
}

/** ComfyUI's encode_tiled_: three tilings (square, wide, tall tiles; `t` in pixels here) averaged. */
export async function encodeImageTiled(
  models: ModelCache,
  vae: VaeHandle,
  image: ImageValue,
  t: VaeTiles,
  onTile?: (done: number, total: number) => void,
): Promise<LatentValue> {
  const pixels = toPixels(image);
  const runtime = await vaeFor(models, vae);
  const [b, , h, w] = pixels.shape;
  const passes = [
    { tileX: t.tileX, tileY: t.tileY },
    { tileX: t.tileX * 2, tileY: Math.floor(t.tileY / 2) },
    { tileX: Math.floor(t.tileX / 2), tileY: t.tileY * 2 },
  ];
  const total = passes.reduce((n, p) => n + b * tileCount(w, h, p.tileX, p.tileY, t.overlap), 0);
  let done = 0;
  const tick = () => onTile?.(++done, total);
  const encode = async (tile: F32Tensor) => (await runtime.encode(tile)).mean;
  const outs: F32Tensor[] = [];
  for (const p of passes)
    outs.push(await tiledScale(pixels, encode, { ...p, overlap: t.overlap, scale: 1 / 8, outChannels: runtime.config.embedDim, onTile: tick }));
  const mean = averageOf(outs);
  return { samples: { shape: [...mean.shape], data: mean.data } };
}

/**
 * IMAGE [B,H,W,3] 0..1 → [B,3,H',W'] x·2 − 1, cropped to a multiple of 8 centred (ComfyUI's vae_encode_crop_pixels).
 */
function toPixels(image: ImageValue): F32Tensor {
  const [b, h, w, ch] = image.shape;
  if (image.shape.length !== 4 || ch < 3) throw new Error(`image has shape [${image.shape.join(', ')}], expected [batch, height, width, 3]`);
  const H = Math.floor(h / 8) * 8;
  const W = Math.floor(w / 8) * 8;
  if (H === 0 || W === 0) throw new Error(`image ${w}x${h} is smaller than 8 pixels`);
  const y0 = Math.floor((h % 8) / 2);
  const x0 = Math.floor((w % 8) / 2);
  const data = new Float32Array(b * 3 * H * W);
  for (let n = 0; n < b; n++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const src = ((n * h + y + y0) * w + x + x0) * ch;
        for (let k = 0; k < 3; k++) data[((n * 3 + k) * H + y) * W + x] = image.data[src + k] * 2 - 1;
      }
    }
  }
  return { data, shape: [b, 3, H, W] };
}
