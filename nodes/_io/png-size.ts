/**
 * A PNG's size from its IHDR, read before decoding, so an oversized image is refused before memory is spent. The
 * limit is Pillow's decompression-bomb limit (2 × Image.MAX_IMAGE_PIXELS), above which ComfyUI cannot open an image
 * either.
 */
export const MAX_IMAGE_PIXELS = 2 * 89_478_485;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function pngSize(bytes: Uint8Array, name: string): { width: number; height: number } {
  if (bytes.length < 24 || !PNG_MAGIC.every((b, i) => bytes[i] === b)) throw new Error(`${name} is not a PNG file.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') throw new Error(`${name}: the PNG does not start with its IHDR header.`);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Refuses a PNG whose pixel count exceeds MAX_IMAGE_PIXELS (or that has no pixels), naming the file and its size. */
export function checkPngSize(bytes: Uint8Array, name: string): { width: number; height: number } {
  const s = pngSize(bytes, name);
  const px = s.width * s.height;
  if (px === 0) throw new Error(`${name} is ${s.width}x${s.height}: an image with no pixels.`);
  if (px > MAX_IMAGE_PIXELS) {
    throw new Error(`${name} is ${s.width}x${s.height} (${px} pixels): images above ${MAX_IMAGE_PIXELS} pixels are refused (Pillow, and so ComfyUI, refuses them too).`);
  }
  return s;
}
