/**
 * Decoded frames as PIL holds them after ComfyUI's per-frame steps (exif_transpose, the 'I' scaling,
 * convert('RGB')): 8-bit RGB plus the alpha PIL would give, still in integers so callers pick their float form.
 */
import { ImageDecodeError } from './errors';
import type { ImageHeader } from './header';
import { orientPlane, type Plane } from './orient';
import { cmykToRgb, highByte, scaledGray16 } from './pil-convert';
import { decodeRaw, type RawPixels } from './sharp-raw';
import { inSlices } from './slices';
import { decodeApng } from './apng';
import type { PngHeader } from './png-header';

export interface Frame {
  width: number;
  height: number;
  /** H×W×3 */
  rgb: Uint8Array;
  /** H×W alpha as PIL's convert('RGBA') gives it, or null when the header's alpha kind is 'none' */
  alpha: Uint8Array | null;
}

/** Decode `count` frames (1 for LoadImageMask, all for LoadImage); the pixel budget was checked by the caller. */
export async function decodeFrames(bytes: Uint8Array, header: ImageHeader, count: number, maxPixels: number): Promise<Frame[]> {
  const w = header.storedWidth;
  const h = header.storedHeight;
  let planes: { rgb: Plane; alpha: Plane | null }[];
  const apng = header.probe.format === 'png' ? (header as PngHeader).apng : undefined;
  if (apng) {
    planes = await decodeApng(bytes, header as PngHeader, apng.slice(0, count), maxPixels, (raw, fw, fh) => split(raw, header, fw, fh, 0));
  } else {
    const raw = await decodeRaw(bytes, header, count, maxPixels);
    if (raw.width !== w || raw.height !== h * count) {
      throw new ImageDecodeError(
        'corrupt',
        `corrupt ${header.probe.format.toUpperCase()}: header says ${count} frame(s) of ${w}x${h}, pixel data decoded to ${raw.width}x${raw.height}`,
      );
    }
    planes = [];
    for (let f = 0; f < count; f++) planes.push(await split(raw, header, w, h, f));
  }
  const out: Frame[] = [];
  for (const { rgb, alpha: bandAlpha } of planes) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const alpha = header.alpha === 'colour-key' ? colourKeyAlpha(rgb, header.colourKey) : bandAlpha;
    const o = header.probe.orientation;
    const rgbO = orientPlane(rgb, o);
    out.push({ width: rgbO.width, height: rgbO.height, rgb: rgbO.data, alpha: alpha && orientPlane(alpha, o).data });
  }
  return out;
}

/** PIL's convert_transparent: alpha 0 where the converted RGB pixel equals the key, else 255. */
function colourKeyAlpha(rgb: Plane, key: ImageHeader['colourKey']): Plane | null {
  if (!key) return null;
  const [kr, kg, kb] = key;
  const n = rgb.width * rgb.height;
  const a = new Uint8Array(n);
  for (let p = 0; p < n; p++) a[p] = rgb.data[p * 3] === kr && rgb.data[p * 3 + 1] === kg && rgb.data[p * 3 + 2] === kb ? 0 : 255;
  return { data: a, width: rgb.width, height: rgb.height, channels: 1 };
}

/** One frame of raw samples -> PIL's 8-bit RGB and its alpha band (or palette alpha). */
async function split(raw: RawPixels, header: ImageHeader, w: number, h: number, frame: number): Promise<{ rgb: Plane; alpha: Plane | null }> {
  const n = w * h;
  const c = raw.channels;
  const src = raw.data;
  const base = frame * n * c;
  const rgb = new Uint8Array(n * 3);
  const rawAlpha = header.samples === 'cmyk' ? false : c === 2 || c === 4;
  if (header.samples === 'rgb8' && c < 3) throw new ImageDecodeError('corrupt', `unexpected ${c}-channel decode for an sRGB image`);
  await inSlices(n, (p0, p1) => convertSamples(header, src, c, base, rgb, p0, p1));
  let alpha: Uint8Array | null = null;
  if (header.alpha === 'band' || header.alpha === 'palette') {
    alpha = new Uint8Array(n).fill(255); // palette transparency that libpng ignored (e.g. empty tRNS) stays opaque, as in PIL
    if (rawAlpha) {
      const sixteen = header.samples === 'high-byte16' || header.samples === 'gray16-scaled';
      for (let p = 0, s = base + c - 1; p < n; p++, s += c) alpha[p] = sixteen ? highByte(src[s]) : src[s];
    }
    const under = header.transparentRgb; // libvips leaves 0,0,0 under transparent GIF pixels, PIL the palette colour
    if (under) for (let p = 0; p < n; p++) if (alpha[p] === 0) rgb.set(under, p * 3);
  }
  return { rgb: { data: rgb, width: w, height: h, channels: 3 }, alpha: alpha && { data: alpha, width: w, height: h, channels: 1 } };
}

/** Pixels [p0, p1) of one frame: raw samples -> PIL's 8-bit RGB. */
function convertSamples(header: ImageHeader, src: RawPixels['data'], c: number, base: number, rgb: Uint8Array, p0: number, p1: number): void {
  switch (header.samples) {
    case 'rgb8':
      for (let p = p0, s = base + p0 * c; p < p1; p++, s += c) {
        rgb[p * 3] = src[s];
        rgb[p * 3 + 1] = src[s + 1];
        rgb[p * 3 + 2] = src[s + 2];
      }
      break;
    case 'high-byte16':
      // grey16 (LA) arrives as 1 colour channel + alpha, RGB as 3 (+ alpha)
      for (let p = p0, s = base + p0 * c; p < p1; p++, s += c) {
        const g = c <= 2;
        rgb[p * 3] = highByte(src[s]);
        rgb[p * 3 + 1] = highByte(src[g ? s : s + 1]);
        rgb[p * 3 + 2] = highByte(src[g ? s : s + 2]);
      }
      break;
    case 'gray16-scaled':
      for (let p = p0, s = base + p0 * c; p < p1; p++, s += c) rgb[p * 3] = rgb[p * 3 + 1] = rgb[p * 3 + 2] = scaledGray16(src[s]);
      break;
    case 'cmyk':
      for (let p = p0, s = base + p0 * c; p < p1; p++, s += c) cmykToRgb(src[s], src[s + 1], src[s + 2], src[s + 3], rgb, p * 3);
      break;
  }
}
