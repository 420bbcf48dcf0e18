/**
 * An input image as ComfyUI's LoadImage returns it: IMAGE [1, H, W, 3] in 0..1 and MASK = 1 − alpha [1, H, W],
 * or a 64x64 zero mask when the image has no alpha (as ComfyUI does).
 */
import { PNG } from 'pngjs';
import type { ImageValue, MaskValue } from '../../server/runtime/values';
import { checkPngSize } from './png-size';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

export function decodeInputImage(bytes: Uint8Array, name: string): { image: ImageValue; mask: MaskValue } {
  if (!PNG_MAGIC.every((b, i) => bytes[i] === b)) throw new Error(`${name} is not a PNG file.`);
  checkPngSize(bytes, name);
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const { width: w, height: h } = png;
  const data = new Float32Array(h * w * 3);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < 3; k++) data[p * 3 + k] = png.data[p * 4 + k] / 255;
  const image: ImageValue = { shape: [1, h, w, 3], data };
  if (!png.alpha) return { image, mask: { shape: [1, 64, 64], data: new Float32Array(64 * 64) } };
  const m = new Float32Array(h * w);
  // ComfyUI: 1. - (alpha / 255 in float32), so the quotient is rounded to float32 before the subtraction
  for (let p = 0; p < h * w; p++) m[p] = 1 - Math.fround(png.data[p * 4 + 3] / 255);
  return { image, mask: { shape: [1, h, w], data: m } };
}
