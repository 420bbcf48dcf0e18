import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A scratch folder in os.tmpdir(), removed by the returned cleanup. */
export function scratchDir(tag: string): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `loom-${tag}-`));
  return { dir, file: (name) => path.join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Raw safetensors bytes from a header given as text (so malformed headers can be written) and a data section. */
export function rawSafetensors(header: string | Uint8Array, data: Uint8Array = new Uint8Array(0), declaredLength?: bigint): Buffer {
  const h = typeof header === 'string' ? Buffer.from(header, 'utf8') : Buffer.from(header);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(declaredLength ?? BigInt(h.length));
  return Buffer.concat([prefix, h, data]);
}

export function writeRaw(file: string, header: string | Uint8Array, data?: Uint8Array, declaredLength?: bigint): string {
  writeFileSync(file, rawSafetensors(header, data, declaredLength));
  return file;
}
