/**
 * PNG header read: IHDR, then a walk over chunk headers (no pixel data is inflated) for what changes PIL's
 * result: tRNS (transparency), acTL (APNG frames), eXIf / XMP / "Raw profile type exif" (orientation).
 */
import zlib from 'node:zlib';
import { ByteReader } from './bytes';
import { ImageDecodeError } from './errors';
import { exifOrientation, swapsAxes, xmpOrientation } from './exif';
import { apngFrames, type ApngFrame } from './apng';
import type { AlphaKind, ImageHeader, SampleKind } from './header';

/** Allowed bit depths per colour type (PNG spec table 11.1). */
const DEPTHS: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
/** Text chunks are inflated only to find an orientation; a bigger one is not worth the time. */
const MAX_TEXT_BYTES = 1 << 20;

export interface PngChunk {
  type: string;
  /** offset of the chunk's data (after length and type) */
  data: number;
  length: number;
}

export interface PngHeader extends ImageHeader {
  bitDepth: number;
  colourType: number;
  interlaced: boolean;
  chunks: PngChunk[];
  /** APNG frames as PIL iterates them; undefined for a still PNG. */
  apng?: ApngFrame[];
}

const u31 = 0x7fffffff;
const isLetter = (b: number): boolean => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

export function readPngHeader(bytes: Uint8Array): PngHeader {
  const r = new ByteReader(bytes, 'PNG');
  if (r.u32be(8, 'IHDR length') !== 13 || r.ascii(12, 4, 'first chunk type') !== 'IHDR') {
    throw new ImageDecodeError('corrupt', `corrupt PNG: the first chunk must be a 13-byte IHDR, found "${r.ascii(12, 4, 'first chunk type')}"`);
  }
  const width = r.u32be(16, 'IHDR width');
  const height = r.u32be(20, 'IHDR height');
  const bitDepth = r.u8(24, 'IHDR bit depth');
  const colourType = r.u8(25, 'IHDR colour type');
  const interlace = r.u8(28, 'IHDR interlace method');
  if (width === 0 || height === 0 || width > u31 || height > u31) {
    throw new ImageDecodeError('corrupt', `corrupt PNG: IHDR size ${width}x${height} (each side must be 1..${u31})`);
  }
  if (!DEPTHS[colourType]?.includes(bitDepth)) {
    throw new ImageDecodeError('corrupt', `corrupt PNG: IHDR colour type ${colourType} with bit depth ${bitDepth} is not a valid combination`);
  }
  if (r.u8(26, 'IHDR compression') !== 0 || r.u8(27, 'IHDR filter') !== 0 || interlace > 1) {
    throw new ImageDecodeError('corrupt', 'corrupt PNG: IHDR compression/filter/interlace method out of range');
  }

  const chunks: PngChunk[] = [];
  let truncated: string | undefined;
  let offset = 8;
  for (;;) {
    if (offset + 8 > bytes.length) {
      truncated = `truncated PNG: the data ends at byte ${bytes.length} before the IEND chunk`;
      break;
    }
    const length = r.u32be(offset, 'chunk length');
    const t = bytes.subarray(offset + 4, offset + 8);
    const type = String.fromCharCode(t[0], t[1], t[2], t[3]);
    if (length > u31 || !(isLetter(t[0]) && isLetter(t[1]) && isLetter(t[2]) && isLetter(t[3]))) {
      truncated = `corrupt PNG: bad chunk header at byte ${offset} (type "${type}", length ${length})`;
      break;
    }
    if (offset + 12 + length > bytes.length) {
      truncated = `truncated PNG: chunk ${type} at byte ${offset} declares ${length} bytes but only ${bytes.length - offset - 12} remain`;
      break;
    }
    chunks.push({ type, data: offset + 8, length });
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  if (!chunks.some((c) => c.type === 'IDAT') && !truncated) truncated = 'corrupt PNG: no IDAT chunk (no pixel data)';

  const find = (t: string): PngChunk | undefined => chunks.find((c) => c.type === t);
  const trns = find('tRNS');
  const mode = pilMode(colourType, bitDepth);
  let alpha: AlphaKind = colourType === 4 || colourType === 6 ? 'band' : 'none';
  let colourKey: readonly [number, number, number] | undefined;
  if (trns && colourType === 3) alpha = 'palette';
  if (trns && (colourType === 0 || colourType === 2)) {
    const key = (i: number): number => (i + 2 <= trns.length ? bytes[trns.data + i + 1] : 0); // low byte of a 16-bit sample
    if ((colourType === 0 && trns.length >= 2) || (colourType === 2 && trns.length >= 6)) {
      alpha = 'colour-key';
      colourKey = colourType === 0 ? [key(0), key(0), key(0)] : [key(0), key(2), key(4)];
    }
  }
  const samples: SampleKind = mode === 'I' ? 'gray16-scaled' : bitDepth === 16 ? 'high-byte16' : 'rgb8';

  const apng = truncated ? undefined : apngFrames(bytes, chunks, width, height);
  const orientation = pngOrientation(bytes, chunks) ?? 1;
  const swap = swapsAxes(orientation);
  return {
    probe: {
      format: 'png',
      width: swap ? height : width,
      height: swap ? width : height,
      frames: apng ? apng.length : 1,
      hasAlpha: alpha === 'band' || alpha === 'palette',
      orientation,
    },
    storedWidth: width,
    storedHeight: height,
    samples,
    alpha,
    colourKey,
    animation: apng ? { frames: apng.length } : undefined,
    apng,
    bitDepth,
    colourType,
    interlaced: interlace === 1,
    chunks,
    truncated,
  };
}

/** The mode PIL opens a PNG as (PngImagePlugin's _MODES, Pillow 9.4). */
function pilMode(colourType: number, bitDepth: number): string {
  if (colourType === 0) return bitDepth === 1 ? '1' : bitDepth === 16 ? 'I' : 'L';
  return ({ 2: 'RGB', 3: 'P', 4: 'LA', 6: 'RGBA' } as Record<number, string>)[colourType];
}

/** eXIf first; else "Raw profile type exif" text; else XMP tiff:Orientation (PIL's getexif order). */
function pngOrientation(bytes: Uint8Array, chunks: PngChunk[]): number | undefined {
  const exif = chunks.find((c) => c.type === 'eXIf');
  const texts = new Map<string, string>();
  for (const c of chunks) {
    if (c.type !== 'tEXt' && c.type !== 'zTXt' && c.type !== 'iTXt') continue;
    const t = readTextChunk(bytes.subarray(c.data, c.data + c.length), c.type);
    if (t && (t.keyword === 'XML:com.adobe.xmp' || t.keyword === 'Raw profile type exif')) texts.set(t.keyword, t.text);
  }
  let fromExif: number | undefined;
  if (exif) fromExif = exifOrientation(bytes.subarray(exif.data, exif.data + exif.length));
  else {
    const raw = texts.get('Raw profile type exif');
    if (raw !== undefined) {
      const hex = raw.split('\n').slice(3).join('');
      if (/^([0-9a-fA-F]{2})*$/.test(hex)) fromExif = exifOrientation(Buffer.from(hex, 'hex'));
    }
  }
  if (fromExif !== undefined) return fromExif;
  const xmp = texts.get('XML:com.adobe.xmp');
  return xmp === undefined ? undefined : xmpOrientation(xmp);
}

function readTextChunk(data: Uint8Array, type: string): { keyword: string; text: string } | undefined {
  const nul = data.indexOf(0);
  if (nul < 1) return undefined;
  const keyword = Buffer.from(data.subarray(0, nul)).toString('latin1');
  try {
    if (type === 'tEXt') return { keyword, text: Buffer.from(data.subarray(nul + 1)).toString('latin1') };
    if (type === 'zTXt') return { keyword, text: inflate(data.subarray(nul + 2)).toString('latin1') };
    // iTXt: compression flag, method, language\0, translated keyword\0, text
    const compressed = data[nul + 1] === 1;
    const lang = data.indexOf(0, nul + 3);
    const translated = lang < 0 ? -1 : data.indexOf(0, lang + 1);
    if (translated < 0) return undefined;
    const body = data.subarray(translated + 1);
    return { keyword, text: (compressed ? inflate(body) : Buffer.from(body)).toString('utf8') };
  } catch {
    return undefined; // an unreadable text chunk carries no orientation; PIL skips it too
  }
}

function inflate(data: Uint8Array): Buffer {
  return zlib.inflateSync(data, { maxOutputLength: MAX_TEXT_BYTES });
}
