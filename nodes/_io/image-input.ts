/**
 * An input image as ComfyUI's LoadImage returns it (server/runtime/io/image: PIL-exact decoding of PNG, JPEG, WebP,
 * GIF, EXIF orientation, frames as a batch): IMAGE [B, H, W, 3] in 0..1 and MASK = 1 − alpha, or a 64x64 zero mask
 * without alpha. The pixel count is checked from the header before anything is decoded.
 */
import { decodeImage, decodeImageMask, ImageDecodeError, type MaskChannel } from '../../server/runtime/io/image';
import type { ImageValue, MaskValue } from '../../server/runtime/values';

/** Largest image (width × height × frames) a node decodes; a 8192² RGB float image is 768 MiB. */
export function maxImagePixels(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const v = Number(env.LOOM_MAX_IMAGE_PIXELS);
  return Number.isFinite(v) && v > 0 ? v : 8192 * 8192;
}

function explained(e: unknown, name: string): never {
  if (e instanceof ImageDecodeError && e.code === 'too-large') throw new Error(`${name}: ${e.message} (raise LOOM_MAX_IMAGE_PIXELS to allow it)`);
  if (e instanceof ImageDecodeError) throw new Error(`${name}: ${e.message}`);
  throw e;
}

export async function decodeInputImage(bytes: Uint8Array, name: string): Promise<{ image: ImageValue; mask: MaskValue }> {
  try {
    const { image, mask } = await decodeImage(bytes, { maxPixels: maxImagePixels() });
    return { image: { shape: [...image.shape], data: image.data }, mask: { shape: [...mask.shape], data: mask.data } };
  } catch (e) {
    return explained(e, name);
  }
}

export async function decodeInputMask(bytes: Uint8Array, name: string, channel: MaskChannel): Promise<MaskValue> {
  try {
    const mask = await decodeImageMask(bytes, channel, { maxPixels: maxImagePixels() });
    return { shape: [...mask.shape], data: mask.data };
  } catch (e) {
    return explained(e, name);
  }
}
