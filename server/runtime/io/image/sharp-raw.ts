/**
 * Pixel decoding through sharp (libvips: libpng, libjpeg-turbo (mozjpeg build), libwebp, cgif/nsgif), run on the
 * libuv thread pool so the event loop stays free. Returns raw samples as stored (no orientation, no colour
 * management: embedded ICC profiles are ignored, as PIL's convert('RGB') ignores them).
 */
import sharp from 'sharp';
import { ImageDecodeError } from './errors';
import type { ImageHeader } from './header';

export interface RawPixels {
  /** uchar samples, or ushort samples for 16-bit sources */
  data: Uint8Array | Uint16Array;
  width: number;
  /** total height: frames are stacked vertically */
  height: number;
  channels: number;
}

/** The libvips colourspace that keeps the samples PIL starts from. */
const SPACE = { rgb8: 'srgb', 'high-byte16': 'rgb16', 'gray16-scaled': 'grey16', cmyk: 'cmyk' } as const;

export async function decodeRaw(bytes: Uint8Array, header: ImageHeader, frames: number, maxPixels: number): Promise<RawPixels> {
  const space = SPACE[header.samples];
  const sixteen = header.samples === 'high-byte16' || header.samples === 'gray16-scaled';
  let pipeline = sharp(bytes, {
    failOn: 'error', // refuse truncated/corrupt pixel data; libjpeg/libpng warnings (e.g. extraneous bytes) are tolerated as PIL does
    limitInputPixels: maxPixels, // second line of defence; the header size was checked before we got here
    ignoreIcc: true,
    pages: frames > 1 ? -1 : 1,
  });
  pipeline = header.samples === 'rgb8' ? pipeline.toColourspace(space) : pipeline.pipelineColourspace(space).toColourspace(space);
  try {
    const { data, info } = await pipeline.raw(sixteen ? { depth: 'ushort' } : {}).toBuffer({ resolveWithObject: true });
    const samples = sixteen
      ? data.byteOffset % 2 === 0
        ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2)
        : new Uint16Array(new Uint8Array(data).buffer) // unaligned view: copy once
      : new Uint8Array(data.buffer, data.byteOffset, data.length);
    return { data: samples, width: info.width, height: info.height, channels: info.channels };
  } catch (e) {
    const why = e instanceof Error ? e.message.trim().split('\n')[0] : String(e);
    throw new ImageDecodeError('corrupt', `corrupt or truncated ${header.probe.format.toUpperCase()} pixel data: ${why}`, { cause: e });
  }
}
