/**
 * EXIF Orientation (tag 0x0112 in IFD0), read the way PIL's Image.getexif() feeds ImageOps.exif_transpose:
 * from an EXIF block (with or without the "Exif\0\0" prefix), else from XMP's tiff:Orientation.
 */

const EXIF_PREFIX = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00];
const ORIENTATION_TAG = 0x0112;
/** TIFF field types PIL reads as one integer: BYTE, SHORT, LONG, SSHORT, SLONG. */
const INT_TYPES: Record<number, number> = { 1: 1, 3: 2, 4: 4, 8: 2, 9: 4 };

/** Orientation from an EXIF/TIFF block; undefined when absent or unreadable (PIL then leaves the image as is). */
export function exifOrientation(block: Uint8Array): number | undefined {
  let t = block;
  if (EXIF_PREFIX.every((b, i) => t[i] === b)) t = t.subarray(6);
  if (t.length < 8) return undefined;
  const little = t[0] === 0x49 && t[1] === 0x49;
  if (!little && !(t[0] === 0x4d && t[1] === 0x4d)) return undefined;
  const u16 = (o: number): number => (little ? t[o] | (t[o + 1] << 8) : (t[o] << 8) | t[o + 1]);
  const u32 = (o: number): number =>
    little ? (t[o] | (t[o + 1] << 8) | (t[o + 2] << 16)) + t[o + 3] * 0x1000000 : t[o] * 0x1000000 + ((t[o + 1] << 16) | (t[o + 2] << 8) | t[o + 3]);
  if (u16(2) !== 42) return undefined;
  const ifd = u32(4);
  if (ifd + 2 > t.length) return undefined;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > t.length) return undefined;
    if (u16(e) !== ORIENTATION_TAG) continue;
    const size = INT_TYPES[u16(e + 2)];
    if (size === undefined || u32(e + 4) !== 1) return undefined; // PIL reads a count above 1 as a tuple: no transpose
    // values of 4 bytes or fewer sit in the entry itself
    if (size === 1) return t[e + 8];
    if (size === 2) return u16(e + 8);
    return u32(e + 8);
  }
  return undefined;
}

/** PIL's fallback: `re.search(r'tiff:Orientation(="|>)([0-9])', xmp)`. */
export function xmpOrientation(xmp: string): number | undefined {
  const m = /tiff:Orientation(="|>)([0-9])/.exec(xmp);
  return m ? Number(m[2]) : undefined;
}

/** Orientations ImageOps.exif_transpose acts on; anything else leaves the pixels alone. */
export function isTransposing(orientation: number | undefined): orientation is 2 | 3 | 4 | 5 | 6 | 7 | 8 {
  return orientation !== undefined && Number.isInteger(orientation) && orientation >= 2 && orientation <= 8;
}

/** Orientations 5..8 swap width and height. */
export function swapsAxes(orientation: number | undefined): boolean {
  return isTransposing(orientation) && orientation >= 5;
}
