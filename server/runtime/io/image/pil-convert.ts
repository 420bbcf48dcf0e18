/**
 * Pillow 9.4's conversions that turn decoded samples into what ComfyUI's LoadImage sees, bit for bit:
 * 16-bit RGB/LA keep the high byte (unpackers "RGB;16B", "LA;16B"); mode 'I' goes through ComfyUI's
 * `point(lambda i: i * (1 / 255))` (C truncation to int) and clips to 0..255 in convert('RGB');
 * CMYK -> RGB is Convert.c's cmyk2rgb; a colour-key tRNS becomes alpha 0 where the RGB pixel equals the key.
 */

/** 16-bit sample -> PIL 8-bit sample: the high byte. */
export function highByte(v: number): number {
  return v >>> 8;
}

/** Mode 'I' sample after ComfyUI's 1/255 point() and PIL's clip to 8 bits. */
export function scaledGray16(v: number): number {
  const t = Math.trunc(v * (1 / 255));
  return Math.min(t, 255);
}

/** Pillow's MULDIV255: (a*b + 128) / 255 rounded, in integer arithmetic. */
function muldiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

/** Pillow 9.4 cmyk2rgb on one pixel; c, m, y, k as PIL holds them (Adobe files already un-inverted). */
export function cmykToRgb(c: number, m: number, y: number, k: number, out: Uint8Array, o: number): void {
  const nk = 255 - k;
  out[o] = clip8(nk - muldiv255(c, nk));
  out[o + 1] = clip8(nk - muldiv255(m, nk));
  out[o + 2] = clip8(nk - muldiv255(y, nk));
}

function clip8(v: number): number {
  return Math.min(Math.max(v, 0), 255);
}
