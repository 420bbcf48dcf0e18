/**
 * SDXL size conditioning with explicit sizes (ComfyUI CLIPTextEncodeSDXL → SDXL.encode_adm):
 * y = pooled ‖ E(height) ‖ E(width) ‖ E(crop_h) ‖ E(crop_w) ‖ E(target_height) ‖ E(target_width),
 * E = 256-d `timestep_embedding` (cos first, max_period 10000) in float32.
 * The refiner (SDXLRefiner.encode_adm): y = pooled ‖ E(height) ‖ E(width) ‖ E(crop_h) ‖ E(crop_w) ‖ E(aesthetic score).
 */
import type { F32Tensor } from '../models';
import type { CondEntry } from '../handles';

export const SIZE_EMBED_DIM = 256;

/** Pixel sizes in ComfyUI's encode_adm order. */
export interface SdxlSizes {
  readonly height: number;
  readonly width: number;
  readonly cropH: number;
  readonly cropW: number;
  readonly targetHeight: number;
  readonly targetWidth: number;
}

/** ComfyUI's sampling-time defaults for a conditioning without sizes: 8 × the latent, crop 0, target = size. */
export function defaultSdxlSizes(latentShape: readonly number[]): SdxlSizes {
  if (latentShape.length !== 4) throw new Error(`latent shape [${latentShape.join(', ')}] is not [batch, channels, height, width]`);
  const height = latentShape[2] * 8;
  const width = latentShape[3] * 8;
  return { height, width, cropH: 0, cropW: 0, targetHeight: height, targetWidth: width };
}

const f = Math.fround;

function embed(v: number, out: Float32Array, offset: number): void {
  const half = SIZE_EMBED_DIM / 2;
  const logMax = f(-Math.log(10000));
  for (let i = 0; i < half; i++) {
    const freq = f(Math.exp(f(f(logMax * i) / half)));
    const arg = f(f(v) * freq);
    out[offset + i] = f(Math.cos(arg));
    out[offset + half + i] = f(Math.sin(arg));
  }
}

/** pooled ‖ E(v) for each value: the `y` row of one pooled vector [1, P] (or [P]). */
function admVector(pooled: F32Tensor, values: readonly number[], what: string): Float32Array {
  values.forEach((v, i) => {
    if (!Number.isFinite(v) || v < 0) throw new Error(`${what}: value ${v} at position ${i} is not a non-negative number`);
  });
  const p = pooled.data;
  if (pooled.shape.length > 1 && pooled.shape[0] !== 1) throw new Error(`${what}: pooled has shape [${pooled.shape.join(', ')}], expected [1, P]`);
  const out = new Float32Array(p.length + values.length * SIZE_EMBED_DIM);
  out.set(p);
  values.forEach((v, i) => embed(v, out, p.length + i * SIZE_EMBED_DIM));
  return out;
}

/** The SDXL `y` row for one pooled vector [1, P] (or [P]) and explicit sizes: length P + 6·256. */
export function sdxlVector(pooled: F32Tensor, sizes: SdxlSizes): Float32Array {
  const order = [sizes.height, sizes.width, sizes.cropH, sizes.cropW, sizes.targetHeight, sizes.targetWidth];
  return admVector(pooled, order, 'SDXL size conditioning');
}

/**
 * The sizes an entry stands for when sampling a latent of this shape (ComfyUI encode_model_conds + SDXL.encode_adm):
 * its own, else 8 × the latent; crop 0; target = the entry's (defaulted) size.
 */
export function entrySdxlSizes(c: CondEntry, latentShape: readonly number[]): SdxlSizes {
  const d = defaultSdxlSizes(latentShape);
  const width = c.width ?? d.width;
  const height = c.height ?? d.height;
  return { width, height, cropW: c.cropW ?? 0, cropH: c.cropH ?? 0, targetWidth: c.targetWidth ?? width, targetHeight: c.targetHeight ?? height };
}

/** The `y` row an entry gets when sampling a latent of this shape: its own sizes, else the defaults. */
export function sdxlVectorFor(c: CondEntry, latentShape: readonly number[]): Float32Array {
  if (!c.pooled) throw new Error(`the conditioning (${c.family}) has no pooled text output: an SDXL UNet needs one`);
  return sdxlVector(c.pooled, entrySdxlSizes(c, latentShape));
}

/** SDXL's `y` for a plain CLIPTextEncode conditioning: pooled ‖ size embeddings with ComfyUI's sampling-time defaults. */
export function sdxlAdm(pooled: F32Tensor, latentShape: readonly number[]): Float32Array {
  return sdxlVector(pooled, defaultSdxlSizes(latentShape));
}

/** ComfyUI SDXLRefiner.encode_adm's aesthetic score for an entry without one: 2.5 on the negative list, else 6. */
export function defaultAestheticScore(promptType: string): number {
  return promptType === 'negative' ? 2.5 : 6;
}

/** The refiner's `y` row: pooled [1, P] ‖ E(height) ‖ E(width) ‖ E(crop_h) ‖ E(crop_w) ‖ E(aesthetic score), P + 5·256. */
export function refinerVector(
  pooled: F32Tensor,
  sizes: Pick<SdxlSizes, 'height' | 'width' | 'cropH' | 'cropW'>,
  aestheticScore: number,
): Float32Array {
  return admVector(pooled, [sizes.height, sizes.width, sizes.cropH, sizes.cropW, aestheticScore], 'SDXL refiner conditioning');
}

/**
 * The refiner's `y` row for an entry when sampling a latent of this shape (encode_model_conds + SDXLRefiner.encode_adm):
 * its own width/height (else 8 × the latent), crop (else 0) and aesthetic score (else by prompt type); target sizes
 * are not part of the refiner's vector.
 */
export function refinerVectorFor(c: CondEntry, latentShape: readonly number[], promptType: string): Float32Array {
  if (!c.pooled) throw new Error(`the conditioning (${c.family}) has no pooled text output: an SDXL refiner UNet needs one`);
  return refinerVector(c.pooled, entrySdxlSizes(c, latentShape), c.aestheticScore ?? defaultAestheticScore(promptType));
}
