/**
 * JPEG header read: walks marker segments from SOI to the first SOFn, past APPn (EXIF orientation from the first
 * APP1 "Exif" segment, as PIL takes it) without touching entropy-coded data.
 */
import { ByteReader } from './bytes';
import { ImageDecodeError } from './errors';
import { exifOrientation, swapsAxes } from './exif';
import type { ImageHeader } from './header';

/** SOF markers: C0-C3, C5-C7, C9-CB, CD-CF (C4 = DHT, C8 = JPG, CC = DAC are not frames). */
const isSof = (m: number): boolean => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
/** Markers without a length field: TEM, RSTn, SOI, EOI. */
const standalone = (m: number): boolean => m === 0x01 || (m >= 0xd0 && m <= 0xd9);

export interface JpegHeader extends ImageHeader {
  progressive: boolean;
  components: number;
}

export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  const r = new ByteReader(bytes, 'JPEG');
  let orientation: number | undefined;
  let sawExif = false;
  let o = 2;
  for (;;) {
    if (r.u8(o, 'marker') !== 0xff) {
      throw new ImageDecodeError('corrupt', `corrupt JPEG: expected a marker (0xFF) at byte ${o}, found 0x${bytes[o].toString(16)}`);
    }
    while (r.u8(o + 1, 'marker') === 0xff) o++; // fill bytes
    const marker = bytes[o + 1];
    o += 2;
    if (standalone(marker)) {
      if (marker === 0xd9) throw new ImageDecodeError('corrupt', 'corrupt JPEG: end of image (EOI) before any frame header (SOFn)');
      continue;
    }
    const length = r.u16be(o, `length of marker 0xFF${marker.toString(16).toUpperCase()}`);
    if (length < 2) throw new ImageDecodeError('corrupt', `corrupt JPEG: segment 0xFF${marker.toString(16)} at byte ${o - 2} has length ${length}`);
    if (marker === 0xda) throw new ImageDecodeError('corrupt', 'corrupt JPEG: scan data (SOS) before any frame header (SOFn)');
    if (marker === 0xe1 && !sawExif && length >= 8 && r.ascii(o + 2, 6, 'APP1 identifier') === 'Exif\0\0') {
      sawExif = true;
      orientation = exifOrientation(r.slice(o + 2, length - 2, 'APP1 Exif segment'));
    }
    if (isSof(marker)) {
      const precision = r.u8(o + 2, 'SOF precision');
      const height = r.u16be(o + 3, 'SOF height');
      const width = r.u16be(o + 5, 'SOF width');
      const components = r.u8(o + 7, 'SOF component count');
      if (marker !== 0xc0 && marker !== 0xc1 && marker !== 0xc2) {
        throw new ImageDecodeError(
          'unsupported',
          `unsupported JPEG: frame type SOF${marker - 0xc0} (lossless or arithmetic coding); baseline, extended and progressive Huffman JPEGs are supported`,
        );
      }
      if (precision !== 8) throw new ImageDecodeError('unsupported', `unsupported JPEG: ${precision}-bit samples (8-bit expected)`);
      if (width === 0 || height === 0)
        throw new ImageDecodeError('unsupported', `unsupported JPEG: frame size ${width}x${height} (a DNL-defined height is not supported)`);
      if (components !== 1 && components !== 3 && components !== 4) {
        throw new ImageDecodeError('unsupported', `unsupported JPEG: ${components} colour components (1, 3 or 4 expected)`);
      }
      const o8 = orientation ?? 1;
      const swap = swapsAxes(o8);
      return {
        probe: { format: 'jpeg', width: swap ? height : width, height: swap ? width : height, frames: 1, hasAlpha: false, orientation: o8 },
        storedWidth: width,
        storedHeight: height,
        samples: components === 4 ? 'cmyk' : 'rgb8',
        alpha: 'none',
        progressive: marker === 0xc2,
        components,
      };
    }
    o += length;
  }
}
