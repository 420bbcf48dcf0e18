/** Header-only inspection: format, size, frames, alpha, orientation, in microseconds, without decoding pixels. */
import { describeMagic } from './bytes';
import { ImageDecodeError } from './errors';
import { otherFormatName, sniffFormat } from './format';
import { readGifHeader } from './gif-header';
import type { ImageHeader, ImageProbe } from './header';
import { readJpegHeader } from './jpeg-header';
import { readPngHeader } from './png-header';
import { readWebpHeader } from './webp-header';

/** The full header read; throws ImageDecodeError saying what is wrong (unknown magic, truncated, corrupt). */
export function inspectImage(bytes: Uint8Array): ImageHeader {
  const format = sniffFormat(bytes);
  switch (format) {
    case 'png':
      return readPngHeader(bytes);
    case 'jpeg':
      return readJpegHeader(bytes);
    case 'webp':
      return readWebpHeader(bytes);
    case 'gif':
      return readGifHeader(bytes);
    case null: {
      const other = otherFormatName(bytes);
      throw new ImageDecodeError(
        'unknown-format',
        other
          ? `unsupported image format ${other} (first bytes ${describeMagic(bytes)}); PNG, JPEG, WebP and GIF are supported`
          : `unknown image format: first bytes ${describeMagic(bytes)} match no PNG, JPEG, WebP or GIF signature`,
      );
    }
  }
}

/** Header facts, or null when the bytes are not a readable PNG/JPEG/WebP/GIF header. Never decodes pixels. */
export function probeImage(bytes: Uint8Array): ImageProbe | null {
  try {
    return inspectImage(bytes).probe;
  } catch (e) {
    if (e instanceof ImageDecodeError) return null;
    throw e;
  }
}

/** probeImage that says why: throws ImageDecodeError (unknown magic, truncated or corrupt header). For upload checks. */
export function readImageHeader(bytes: Uint8Array): ImageProbe {
  return inspectImage(bytes).probe;
}
