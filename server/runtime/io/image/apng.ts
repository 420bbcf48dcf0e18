/**
 * Animated PNG as Pillow 9.4 iterates it (PngImagePlugin._seek / load_end): a default image that is not part of
 * the animation (IDAT without a preceding fcTL) is frame 0; each fcTL frame is decoded into its region of the
 * canvas; blend OVER pastes the region with its own alpha as mask (PIL's paste, not Porter-Duff); dispose
 * BACKGROUND fills the region with zeros (palette index 0), PREVIOUS restores it (BACKGROUND on the first frame).
 */
import zlib from 'node:zlib';
import { ImageDecodeError } from './errors';
import type { Plane } from './orient';
import type { PngChunk, PngHeader } from './png-header';
import { decodeRaw, type RawPixels } from './sharp-raw';

export interface ApngFrame {
  x: number;
  y: number;
  width: number;
  height: number;
  /** 0 none, 1 background, 2 previous */
  dispose: number;
  /** 0 source, 1 over */
  blend: number;
  /** zlib stream pieces: IDAT data, or fdAT data after its sequence number */
  data: { offset: number; length: number }[];
}

/** Frames PIL would iterate, or undefined for a still PNG (no valid acTL). Header-only. */
export function apngFrames(bytes: Uint8Array, chunks: PngChunk[], width: number, height: number): ApngFrame[] | undefined {
  const actl = chunks.filter((c) => c.type === 'acTL');
  if (actl.length !== 1 || actl[0].length < 8) return undefined; // PIL: invalid APNG, use the default image
  const declared = u32(bytes, actl[0].data);
  if (declared === 0 || declared > 0x80000000) return undefined;
  const frames: ApngFrame[] = [];
  let seq = -1;
  let current: ApngFrame | undefined;
  const nextSeq = (at: number, what: string): void => {
    const s = u32(bytes, at);
    if (s !== seq + 1) throw new ImageDecodeError('corrupt', `corrupt APNG: ${what} sequence number ${s}, expected ${seq + 1}`);
    seq = s;
  };
  for (const c of chunks) {
    if (c.type === 'fcTL') {
      if (c.length < 26) throw new ImageDecodeError('corrupt', 'corrupt APNG: fcTL chunk shorter than 26 bytes');
      nextSeq(c.data, 'fcTL');
      const f: ApngFrame = {
        width: u32(bytes, c.data + 4),
        height: u32(bytes, c.data + 8),
        x: u32(bytes, c.data + 12),
        y: u32(bytes, c.data + 16),
        dispose: bytes[c.data + 24],
        blend: bytes[c.data + 25],
        data: [],
      };
      if (f.width === 0 || f.height === 0 || f.x + f.width > width || f.y + f.height > height) {
        throw new ImageDecodeError(
          'corrupt',
          `corrupt APNG: frame ${frames.length} region ${f.width}x${f.height}+${f.x}+${f.y} lies outside the ${width}x${height} canvas`,
        );
      }
      frames.push(f);
      current = f;
    } else if (c.type === 'IDAT') {
      if (!current) {
        // the default image, not part of the animation: PIL still yields it as frame 0
        current = { x: 0, y: 0, width, height, dispose: 0, blend: 0, data: [] };
        frames.push(current);
      }
      current.data.push({ offset: c.data, length: c.length });
    } else if (c.type === 'fdAT') {
      if (c.length < 4) throw new ImageDecodeError('corrupt', 'corrupt APNG: fdAT chunk shorter than 4 bytes');
      nextSeq(c.data, 'fdAT');
      if (!current) throw new ImageDecodeError('corrupt', 'corrupt APNG: fdAT before any fcTL');
      current.data.push({ offset: c.data + 4, length: c.length - 4 });
    }
  }
  const defaultSeparate =
    frames.length > 0 &&
    !chunks
      .slice(
        0,
        chunks.findIndex((c) => c.type === 'IDAT'),
      )
      .some((c) => c.type === 'fcTL');
  // PIL stops at the declared count (plus the separate default image) or at the first frame without data
  const usable = frames.slice(0, declared + (defaultSeparate ? 1 : 0));
  const firstEmpty = usable.findIndex((f) => f.data.length === 0);
  return firstEmpty < 0 ? usable : usable.slice(0, firstEmpty);
}

/** Composited frames as PIL-space 8-bit RGB + band/palette alpha, in stored orientation. */
export async function decodeApng(
  bytes: Uint8Array,
  header: PngHeader,
  frames: ApngFrame[],
  maxPixels: number,
  toPlanes: (raw: RawPixels, w: number, h: number) => Promise<{ rgb: Plane; alpha: Plane | null }>,
): Promise<{ rgb: Plane; alpha: Plane | null }[]> {
  const W = header.storedWidth;
  const H = header.storedHeight;
  const blendAlpha = header.alpha === 'band';
  const bg = background(bytes, header);
  const canvas = blank(W, H, bg, header.alpha !== 'none' && header.alpha !== 'colour-key');
  const out: { rgb: Plane; alpha: Plane | null }[] = [];
  let previous: typeof canvas | undefined;
  for (const [i, f] of frames.entries()) {
    const raw = await decodeRaw(standalonePng(bytes, header, f), header, 1, maxPixels);
    if (raw.width !== f.width || raw.height !== f.height) {
      throw new ImageDecodeError('corrupt', `corrupt APNG: frame ${i} decoded to ${raw.width}x${raw.height}, fcTL says ${f.width}x${f.height}`);
    }
    const sub = await toPlanes(raw, f.width, f.height);
    const before = { rgb: copy(canvas.rgb), alpha: canvas.alpha && copy(canvas.alpha) };
    let dispose = f.dispose;
    if (i === 0 && dispose === 2) dispose = 1;
    if (i > 0 && f.blend === 1 && blendAlpha) pasteOver(canvas, sub, f);
    else pasteSource(canvas, sub, f);
    out.push({ rgb: copy(canvas.rgb), alpha: canvas.alpha && copy(canvas.alpha) });
    previous = before;
    if (dispose === 1) fillRegion(canvas, f, bg);
    else if (dispose === 2 && previous) restoreRegion(canvas, previous, f);
  }
  return out;
}

type Canvas = { rgb: Plane; alpha: Plane | null };

/** What Image.core.fill(mode) gives in RGB(A): zeros, or palette entry 0 for mode P. */
function background(bytes: Uint8Array, header: PngHeader): [number, number, number, number] {
  if (header.colourType !== 3) return [0, 0, 0, 0];
  const plte = header.chunks.find((c) => c.type === 'PLTE');
  const trns = header.chunks.find((c) => c.type === 'tRNS');
  const p = plte && plte.length >= 3 ? [bytes[plte.data], bytes[plte.data + 1], bytes[plte.data + 2]] : [0, 0, 0];
  return [p[0], p[1], p[2], trns && trns.length >= 1 ? bytes[trns.data] : 255];
}

function blank(w: number, h: number, bg: [number, number, number, number], withAlpha: boolean): Canvas {
  const rgb = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) rgb.set(bg.slice(0, 3), p * 3);
  return {
    rgb: { data: rgb, width: w, height: h, channels: 3 },
    alpha: withAlpha ? { data: new Uint8Array(w * h).fill(bg[3]), width: w, height: h, channels: 1 } : null,
  };
}

const copy = (p: Plane): Plane => ({ ...p, data: p.data.slice() });

function pasteSource(c: Canvas, sub: Canvas, f: ApngFrame): void {
  for (let y = 0; y < f.height; y++) {
    const d = (f.y + y) * c.rgb.width + f.x;
    c.rgb.data.set(sub.rgb.data.subarray(y * f.width * 3, (y + 1) * f.width * 3), d * 3);
    if (c.alpha) c.alpha.data.set(sub.alpha ? sub.alpha.data.subarray(y * f.width, (y + 1) * f.width) : new Uint8Array(f.width).fill(255), d);
  }
}

/** Pillow's paste with an RGBA mask: every band, alpha included, becomes DIV255(out*(255-m) + in*m). */
function pasteOver(c: Canvas, sub: Canvas, f: ApngFrame): void {
  const div255 = (a: number): number => {
    const t = a + 128;
    return ((t >> 8) + t) >> 8;
  };
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < f.width; x++) {
      const s = y * f.width + x;
      const d = (f.y + y) * c.rgb.width + f.x + x;
      const m = sub.alpha ? sub.alpha.data[s] : 255;
      for (let k = 0; k < 3; k++) c.rgb.data[d * 3 + k] = div255(c.rgb.data[d * 3 + k] * (255 - m) + sub.rgb.data[s * 3 + k] * m);
      if (c.alpha) c.alpha.data[d] = div255(c.alpha.data[d] * (255 - m) + m * m);
    }
  }
}

function fillRegion(c: Canvas, f: ApngFrame, bg: [number, number, number, number]): void {
  for (let y = f.y; y < f.y + f.height; y++) {
    for (let x = f.x; x < f.x + f.width; x++) {
      const d = y * c.rgb.width + x;
      c.rgb.data.set(bg.slice(0, 3), d * 3);
      if (c.alpha) c.alpha.data[d] = bg[3];
    }
  }
}

function restoreRegion(c: Canvas, from: Canvas, f: ApngFrame): void {
  for (let y = f.y; y < f.y + f.height; y++) {
    const d = y * c.rgb.width + f.x;
    c.rgb.data.set(from.rgb.data.subarray(d * 3, (d + f.width) * 3), d * 3);
    if (c.alpha && from.alpha) c.alpha.data.set(from.alpha.data.subarray(d, d + f.width), d);
  }
}

/** One frame as a PNG of its own: IHDR with the frame's size, the palette chunks, its data as IDAT. */
function standalonePng(bytes: Uint8Array, header: PngHeader, f: ApngFrame): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(f.width, 0);
  ihdr.writeUInt32BE(f.height, 4);
  ihdr[8] = header.bitDepth;
  ihdr[9] = header.colourType;
  ihdr[12] = header.interlaced ? 1 : 0;
  const parts: Buffer[] = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  for (const c of header.chunks) if (c.type === 'PLTE' || c.type === 'tRNS') parts.push(chunk(c.type, bytes.subarray(c.data, c.data + c.length)));
  parts.push(chunk('IDAT', Buffer.concat(f.data.map((d) => bytes.subarray(d.offset, d.offset + d.length)))));
  parts.push(chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

function u32(b: Uint8Array, o: number): number {
  return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}
