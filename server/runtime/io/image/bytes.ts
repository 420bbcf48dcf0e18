/** Bounds-checked big/little-endian reads for header parsers: a read past the end is a truncation error. */
import { ImageDecodeError } from './errors';

export class ByteReader {
  constructor(
    readonly bytes: Uint8Array,
    /** names the format in truncation errors, e.g. 'PNG' */
    readonly what: string,
  ) {}

  get length(): number {
    return this.bytes.length;
  }

  need(offset: number, n: number, field: string): void {
    if (offset < 0 || offset + n > this.bytes.length) {
      throw new ImageDecodeError(
        'corrupt',
        `truncated ${this.what}: ${field} needs bytes ${offset}..${offset + n - 1} but the data has ${this.bytes.length} bytes`,
      );
    }
  }
  u8(o: number, field: string): number {
    this.need(o, 1, field);
    return this.bytes[o];
  }
  u16be(o: number, field: string): number {
    this.need(o, 2, field);
    return (this.bytes[o] << 8) | this.bytes[o + 1];
  }
  u16le(o: number, field: string): number {
    this.need(o, 2, field);
    return this.bytes[o] | (this.bytes[o + 1] << 8);
  }
  u24le(o: number, field: string): number {
    this.need(o, 3, field);
    return this.bytes[o] | (this.bytes[o + 1] << 8) | (this.bytes[o + 2] << 16);
  }
  u32be(o: number, field: string): number {
    this.need(o, 4, field);
    return ((this.bytes[o] << 24) >>> 0) + ((this.bytes[o + 1] << 16) | (this.bytes[o + 2] << 8) | this.bytes[o + 3]);
  }
  u32le(o: number, field: string): number {
    this.need(o, 4, field);
    return ((this.bytes[o + 3] << 24) >>> 0) + ((this.bytes[o + 2] << 16) | (this.bytes[o + 1] << 8) | this.bytes[o]);
  }
  ascii(o: number, n: number, field: string): string {
    this.need(o, n, field);
    return String.fromCharCode(...this.bytes.subarray(o, o + n));
  }
  slice(o: number, n: number, field: string): Uint8Array {
    this.need(o, n, field);
    return this.bytes.subarray(o, o + n);
  }
}

/** The first bytes as hex and printable ASCII, for "unknown format" messages. */
export function describeMagic(bytes: Uint8Array, n = 12): string {
  const head = bytes.subarray(0, n);
  if (head.length === 0) return 'no bytes at all (empty data)';
  const hex = Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = Array.from(head, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `${hex} ("${text}")`;
}
