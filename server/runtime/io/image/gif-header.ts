/**
 * GIF header read: logical screen size, then a walk over blocks (LZW data skipped sub-block by sub-block) to count
 * frames and see whether the first frame has a transparent colour index.
 */
import { ByteReader } from './bytes';
import { ImageDecodeError } from './errors';
import type { ImageHeader } from './header';

export function readGifHeader(bytes: Uint8Array): ImageHeader {
  const r = new ByteReader(bytes, 'GIF');
  const width = r.u16le(6, 'logical screen width');
  const height = r.u16le(8, 'logical screen height');
  if (width === 0 || height === 0) throw new ImageDecodeError('corrupt', `corrupt GIF: logical screen size ${width}x${height}`);
  const packed = r.u8(10, 'screen descriptor flags');
  let o = 13 + (packed & 0x80 ? 3 << ((packed & 7) + 1) : 0);
  let frames = 0;
  let firstTransparent = false;
  let pendingTransparent = false;
  let pendingIndex = 0;
  let transparentRgb: [number, number, number] | undefined;
  const globalTable = packed & 0x80 ? 13 : -1;
  const skipSubBlocks = (at: number): number => {
    let p = at;
    for (let n = r.u8(p, 'sub-block size'); n !== 0; n = r.u8(p, 'sub-block size')) p += n + 1;
    return p + 1;
  };
  for (;;) {
    const intro = r.u8(o, 'block introducer');
    if (intro === 0x3b) break; // trailer
    if (intro === 0x21) {
      const label = r.u8(o + 1, 'extension label');
      if (label === 0xf9 && r.u8(o + 2, 'graphic control size') >= 4) {
        pendingTransparent = (r.u8(o + 3, 'graphic control flags') & 1) === 1;
        pendingIndex = r.u8(o + 6, 'transparent colour index');
      }
      o = skipSubBlocks(o + 2);
    } else if (intro === 0x2c) {
      const flags = r.u8(o + 9, 'image descriptor flags');
      const table = flags & 0x80 ? o + 10 : globalTable;
      if (frames === 0 && pendingTransparent && table >= 0) {
        const at = table + pendingIndex * 3;
        transparentRgb = [r.u8(at, 'colour table'), r.u8(at + 1, 'colour table'), r.u8(at + 2, 'colour table')];
      }
      o += 10 + (flags & 0x80 ? 3 << ((flags & 7) + 1) : 0);
      r.u8(o, 'LZW minimum code size');
      o = skipSubBlocks(o + 1);
      if (frames === 0) firstTransparent = pendingTransparent;
      pendingTransparent = false;
      frames++;
    } else {
      throw new ImageDecodeError('corrupt', `corrupt GIF: unknown block introducer 0x${intro.toString(16)} at byte ${o}`);
    }
  }
  if (frames === 0) throw new ImageDecodeError('corrupt', 'corrupt GIF: no image in the file');
  return {
    probe: { format: 'gif', width, height, frames, hasAlpha: firstTransparent, orientation: 1 },
    storedWidth: width,
    storedHeight: height,
    samples: 'rgb8',
    alpha: firstTransparent ? 'palette' : 'none',
    transparentRgb,
    animation: frames > 1 ? { frames } : undefined,
  };
}
