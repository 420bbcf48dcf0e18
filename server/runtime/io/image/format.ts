/** Image formats we decode, recognised by their magic bytes (never by file name). */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic[i]) return false;
  return true;
}
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

/** The format named by the first bytes, or null. Looks at no more than 12 bytes. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif';
  return null;
}

/** Magic bytes of formats PIL would open but we do not decode, so the refusal can name them. */
const OTHER_FORMATS: ReadonlyArray<readonly [string, readonly number[], number?]> = [
  ['BMP', ascii('BM')],
  ['TIFF (little-endian)', [0x49, 0x49, 0x2a, 0x00]],
  ['TIFF (big-endian)', [0x4d, 0x4d, 0x00, 0x2a]],
  ['AVIF/HEIF', ascii('ftyp'), 4],
  ['JPEG 2000', [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]],
  ['ICO', [0x00, 0x00, 0x01, 0x00]],
  ['Photoshop PSD', ascii('8BPS')],
  ['QOI', ascii('qoif')],
];

/** A format name for bytes we do not decode, if the magic is a known one. */
export function otherFormatName(bytes: Uint8Array): string | null {
  for (const [name, magic, at] of OTHER_FORMATS) if (startsWith(bytes, magic, at ?? 0)) return name;
  return null;
}
