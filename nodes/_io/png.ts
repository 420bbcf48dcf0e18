/** PNG encode/decode for IMAGE values (pngjs) plus text-chunk insertion so a PNG can carry its workflow. */
import zlib from 'node:zlib';
import { PNG } from 'pngjs';
import type { ImageValue } from '../../server/runtime/values';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * Text chunks inserted right after IHDR: tEXt when the text is Latin-1 (what ComfyUI's PIL PngInfo.add_text writes,
 * so every PNG reader sees it), else an uncompressed UTF-8 iTXt.
 */
export function insertTextChunks(png: Buffer, entries: readonly (readonly [keyword: string, text: string])[]): Buffer {
  const ihdrEnd = 8 + 8 + png.readUInt32BE(8) + 4;
  const chunks = entries.map(([keyword, text]) => {
    const key = Buffer.from(keyword, 'latin1');
    // eslint-disable-next-line no-control-regex
    if (/^[\x00-\xff]*$/.test(text)) return chunk('tEXt', Buffer.concat([key, Buffer.from([0]), Buffer.from(text, 'latin1')]));
    return chunk('iTXt', Buffer.concat([key, Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]));
  });
  return Buffer.concat([png.subarray(0, ihdrEnd), ...chunks, png.subarray(ihdrEnd)]);
}

/** One uncompressed iTXt chunk (kept for callers that need UTF-8 whatever the text). */
export function insertITXt(png: Buffer, keyword: string, text: string): Buffer {
  const ihdrEnd = 8 + 8 + png.readUInt32BE(8) + 4;
  const body = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]);
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk('iTXt', body), png.subarray(ihdrEnd)]);
}

/** One batch item of an IMAGE as an 8-bit RGBA PNG. */
export function encodePng(image: ImageValue, index: number): Buffer {
  const [, h, w, c] = image.shape;
  const png = new PNG({ width: w, height: h });
  const base = index * h * w * c;
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < 3; k++) {
      const v = image.data[base + p * c + Math.min(k, c - 1)];
      png.data[p * 4 + k] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
    png.data[p * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

/** A PNG as a one-image IMAGE batch (alpha dropped). */
export function decodePng(bytes: Buffer): ImageValue {
  const png = PNG.sync.read(bytes);
  const { width: w, height: h } = png;
  const data = new Float32Array(h * w * 3);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < 3; k++) data[p * 3 + k] = png.data[p * 4 + k] / 255;
  return { shape: [1, h, w, 3], data };
}
