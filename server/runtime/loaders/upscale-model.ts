/** UpscaleModelLoader / ImageUpscaleWithModel: upscale-model files and ComfyUI's tiled upscale of an IMAGE batch. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelCache } from '../model-cache';
import { fileIdentity } from '../checkpoint/hash';
import { stateDictProvider } from '../checkpoint/provider';
import type { UpscaleModelHandle } from '../handles';
import type { ImageValue } from '../values';
import type { RuntimeOptions } from '../models';
import { upscalerFor } from '../models/upscale';
import { detectUpscaleModel } from '../models/upscale/detect';
import { readUpscaleFile } from '../models/upscale/file';
import { tiledScale, tiledScaleSteps } from '../models/upscale/tiled';

/** ImageUpscaleWithModel's tiling: 512-pixel tiles overlapping by 32, halved on out-of-memory down to 128. */
export const UPSCALE_TILE = 512;
export const UPSCALE_OVERLAP = 32;
const MIN_TILE = 128;

export async function cachedUpscaleModel(models: ModelCache, file: string): Promise<UpscaleModelHandle> {
  const id = await fileIdentity(file);
  const bytes = (await stat(file)).size;
  const name = path.basename(file);
  return models.get(`upscale-model-file|${id}`, async () => {
    const f = await readUpscaleFile(file);
    const { spec, tensors } = detectUpscaleModel(f.tensors, name);
    const key = `${id}/upscale_model`;
    return { value: { kind: 'upscale_model', weights: stateDictProvider(tensors, key), spec, name, key }, bytes };
  });
}

export interface UpscaleImageOptions extends RuntimeOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** the first tile size tried (ComfyUI: 512); tests make it small to exercise tiling */
  tile?: number;
  overlap?: number;
}

/** Out-of-memory as onnxruntime reports it (the only error a smaller tile can cure). */
export const isOutOfMemory = (e: unknown): boolean =>
  e instanceof RangeError || /out of memory|bad_alloc|failed to allocate|allocation failed/i.test(e instanceof Error ? e.message : String(e));

/** image [B, H, W, C] → [B, H·scale, W·scale, outC] in [0, 1], each image through tiled_scale. */
export async function upscaleImage(models: ModelCache, h: UpscaleModelHandle, image: ImageValue, o: UpscaleImageOptions = {}): Promise<ImageValue> {
  const runner = await upscalerFor(models, h, o);
  const [n, ih, iw, c] = image.shape;
  const overlap = o.overlap ?? UPSCALE_OVERLAP;
  let tile = o.tile ?? UPSCALE_TILE;
  const plane = ih * iw;
  for (;;) {
    try {
      const total = n * tiledScaleSteps(iw, ih, tile, overlap);
      let done = 0;
      const outs: { data: Float32Array; shape: number[] }[] = [];
      for (let b = 0; b < n; b++) {
        // NHWC → CHW for one image (ComfyUI's movedim(-1, -3))
        const chw = new Float32Array(c * plane);
        const src = image.data.subarray(b * plane * c, (b + 1) * plane * c);
        for (let p = 0; p < plane; p++) for (let k = 0; k < c; k++) chw[k * plane + p] = src[p * c + k];
        outs.push(
          await tiledScale({ data: chw, shape: [c, ih, iw] }, (t) => runner.run(t), {
            tile,
            overlap,
            scale: h.spec.scale,
            outChannels: h.spec.outChannels,
            signal: o.signal,
            onTile: () => o.onProgress?.(++done, total),
          }),
        );
      }
      const [oc, oh, ow] = outs[0].shape;
      const op = oh * ow;
      const out = new Float32Array(n * op * oc);
      // CHW → NHWC, clamped to [0, 1] as ComfyUI does after tiled_scale
      outs.forEach((y, b) => {
        for (let p = 0; p < op; p++) {
          for (let k = 0; k < oc; k++) out[(b * op + p) * oc + k] = Math.min(1, Math.max(0, y.data[k * op + p]));
        }
      });
      return { data: out, shape: [n, oh, ow, oc] };
    } catch (e) {
      if (!isOutOfMemory(e)) throw e;
      tile = Math.floor(tile / 2);
      if (tile < MIN_TILE) throw new Error(`ImageUpscaleWithModel: out of memory even with ${tile * 2}-pixel tiles (${h.name})`, { cause: e });
    }
  }
}
