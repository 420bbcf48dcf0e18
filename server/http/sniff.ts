/**
 * Upload content types by magic bytes. Deliberately tiny: server/runtime/io/image's sniffFormat can
 * replace it once that lands. Needs the first 16 bytes (fewer: 'short').
 */
export type UploadFormat = 'png' | 'jpeg' | 'webp' | 'latent';

export const SNIFF_BYTES = 16;

/** Which format each upload extension must hold. */
export const UPLOAD_EXTENSIONS: Record<string, UploadFormat> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.webp': 'webp',
  '.latent': 'latent',
};

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((x, i) => b[at + i] === x);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

export function sniffUpload(head: Uint8Array): UploadFormat | 'short' | null {
  if (head.length < SNIFF_BYTES) return 'short';
  if (startsWith(head, PNG)) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'webp';
  // .latent is safetensors: u64 LE header length (sane), then the JSON header's "{"
  const view = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const n = view.readBigUInt64LE(0);
  if (n >= 2n && n <= 100_000_000n && head[8] === 0x7b) return 'latent';
  return null;
}
