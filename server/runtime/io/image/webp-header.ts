/**
 * WebP header read: the RIFF chunk list (VP8 / VP8L / VP8X, ANMF frames, EXIF), bitstream headers only.
 * PIL's mode is RGBA when WebPGetFeatures reports alpha (VP8X alpha flag, or VP8L's alpha_is_used bit), else RGB.
 */
import { ByteReader } from './bytes';
import { ImageDecodeError } from './errors';
import { exifOrientation, swapsAxes } from './exif';
import type { ImageHeader } from './header';

export function readWebpHeader(bytes: Uint8Array): ImageHeader {
  const r = new ByteReader(bytes, 'WebP');
  const riffSize = r.u32le(4, 'RIFF size');
  // RIFF size counts from byte 8; a file cut short of it is truncated (trailing bytes past it are ignored, as libwebp does)
  if (8 + riffSize > bytes.length) {
    throw new ImageDecodeError('corrupt', `truncated WebP: RIFF header declares ${8 + riffSize} bytes but the data has ${bytes.length}`);
  }
  const end = 8 + riffSize;
  const chunks: { type: string; data: number; length: number }[] = [];
  for (let o = 12; o + 8 <= end; ) {
    const type = r.ascii(o, 4, 'chunk type');
    const length = r.u32le(o + 4, `${type} chunk size`);
    if (o + 8 + length > end) {
      throw new ImageDecodeError('corrupt', `truncated WebP: chunk "${type}" at byte ${o} declares ${length} bytes past the end of the RIFF data`);
    }
    chunks.push({ type, data: o + 8, length });
    o += 8 + length + (length & 1); // chunks are padded to even size
  }
  const first = chunks[0];
  if (!first) throw new ImageDecodeError('corrupt', 'corrupt WebP: no chunk after the RIFF header');

  let width: number;
  let height: number;
  let hasAlpha: boolean;
  let frames = 1;
  let orientation: number | undefined;
  if (first.type === 'VP8 ') {
    // frame tag (3 bytes), start code 9D 01 2A, then 14-bit width and height (top 2 bits are scaling)
    if (r.u8(first.data + 3, 'VP8 start code') !== 0x9d || bytes[first.data + 4] !== 0x01 || bytes[first.data + 5] !== 0x2a) {
      throw new ImageDecodeError('corrupt', 'corrupt WebP: VP8 key frame start code 9D 01 2A not found');
    }
    width = r.u16le(first.data + 6, 'VP8 width') & 0x3fff;
    height = r.u16le(first.data + 8, 'VP8 height') & 0x3fff;
    hasAlpha = false;
  } else if (first.type === 'VP8L') {
    if (r.u8(first.data, 'VP8L signature') !== 0x2f) throw new ImageDecodeError('corrupt', 'corrupt WebP: VP8L signature byte 0x2F not found');
    const bits = r.u32le(first.data + 1, 'VP8L size fields');
    width = (bits & 0x3fff) + 1;
    height = ((bits >>> 14) & 0x3fff) + 1;
    hasAlpha = ((bits >>> 28) & 1) === 1;
  } else if (first.type === 'VP8X') {
    const flags = r.u8(first.data, 'VP8X flags');
    width = r.u24le(first.data + 4, 'VP8X canvas width') + 1;
    height = r.u24le(first.data + 7, 'VP8X canvas height') + 1;
    hasAlpha = (flags & 0x10) !== 0;
    if (flags & 0x02) frames = chunks.filter((c) => c.type === 'ANMF').length;
    else if (!chunks.some((c) => c.type === 'VP8 ' || c.type === 'VP8L')) {
      throw new ImageDecodeError('corrupt', 'corrupt WebP: extended (VP8X) file without image data (no VP8/VP8L chunk)');
    }
    if (frames === 0) throw new ImageDecodeError('corrupt', 'corrupt WebP: animation flag set but no ANMF frame chunk');
    const exif = chunks.find((c) => c.type === 'EXIF');
    if (exif) orientation = exifOrientation(bytes.subarray(exif.data, exif.data + exif.length));
  } else {
    throw new ImageDecodeError('corrupt', `corrupt WebP: first chunk is "${first.type}", expected VP8, VP8L or VP8X`);
  }
  if (width === 0 || height === 0) throw new ImageDecodeError('corrupt', `corrupt WebP: size ${width}x${height}`);
  const o8 = orientation ?? 1;
  const swap = swapsAxes(o8);
  return {
    probe: { format: 'webp', width: swap ? height : width, height: swap ? width : height, frames, hasAlpha, orientation: o8 },
    storedWidth: width,
    storedHeight: height,
    samples: 'rgb8',
    alpha: hasAlpha ? 'band' : 'none',
    animation: frames > 1 || chunks.some((c) => c.type === 'ANMF') ? { frames } : undefined,
  };
}
