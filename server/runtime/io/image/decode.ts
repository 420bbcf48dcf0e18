/**
 * decodeImage / decodeImageMask: ComfyUI's LoadImage and LoadImageMask (nodes.py at 3cd7b32f, Pillow 9.4) on bytes.
 *
 * Async: header checks run synchronously in microseconds; pixel decoding runs on the libuv thread pool (sharp);
 * the per-pixel steps after it (PIL's conversions, orientation, 8-bit -> float32) run on the calling thread in
 * slices of 2^19 pixels with a yield between them, so the event loop is never held for more than a few ms.
 */
import { ImageDecodeError } from './errors';
import type { ImageFormat } from './format';
import { decodeFrames, type Frame } from './frames';
import type { ImageHeader } from './header';
import { inspectImage } from './probe';
import { inSlices } from './slices';

/** IMAGE: RGB in 0..1, [B, H, W, 3]. */
export interface ImageTensor {
  shape: [number, number, number, number];
  data: Float32Array;
}
/** MASK: [B, H, W] (1 = masked, i.e. 1 - alpha), or [B, 64, 64] zeros for an image without alpha. */
export interface MaskTensor {
  shape: [number, number, number];
  data: Float32Array;
}

export interface DecodeOptions {
  /**
   * Refuse images whose decoded pixel count (width × height × frames) exceeds this, checked from the header before
   * any pixel is decoded. A positive integer.
   */
  maxPixels: number;
}

export interface DecodedImage {
  image: ImageTensor;
  mask: MaskTensor;
  format: ImageFormat;
  /** of one frame, after EXIF orientation */
  width: number;
  height: number;
  frames: number;
}

export type MaskChannel = 'alpha' | 'red' | 'green' | 'blue';

/** Exact float32 values numpy gives for `u8.astype(float32) / 255` and torch for `1 - that`. */
const UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);
const ONE_MINUS = Float32Array.from({ length: 256 }, (_, i) => 1 - UNIT[i]);
/** ComfyUI's mask for an image without alpha: torch.zeros((64, 64)). */
const EMPTY_MASK = 64;

/** LoadImage: every frame of the first frame's size, EXIF-transposed, as IMAGE and MASK batches. */
export async function decodeImage(bytes: Uint8Array, opts: DecodeOptions): Promise<DecodedImage> {
  const header = checkedHeader(bytes, opts, (header0) => header0.probe.frames);
  const frames = await decodeFrames(bytes, header, header.probe.frames, opts.maxPixels);
  // PIL iterates frames and skips those of another size than the first (possible for multi-size containers)
  const { width, height } = frames[0];
  const kept = frames.filter((f) => f.width === width && f.height === height);
  const withAlpha = header.probe.hasAlpha;
  const n = width * height;
  const image = new Float32Array(kept.length * n * 3);
  const maskSide = withAlpha ? [height, width] : [EMPTY_MASK, EMPTY_MASK];
  const mask = new Float32Array(kept.length * maskSide[0] * maskSide[1]);
  for (const [b, f] of kept.entries()) {
    await mapChunked(f.rgb, UNIT, image, b * n * 3);
    if (withAlpha && f.alpha) await mapChunked(f.alpha, ONE_MINUS, mask, b * n);
  }
  return {
    image: { shape: [kept.length, height, width, 3], data: image },
    mask: { shape: [kept.length, maskSide[0], maskSide[1]], data: mask },
    format: header.probe.format,
    width,
    height,
    frames: kept.length,
  };
}

/**
 * LoadImageMask: the first frame, EXIF-transposed, converted to RGBA as PIL does (colour-key and palette
 * transparency become alpha), one channel as a [1, H, W] MASK; 'alpha' gives 1 - alpha.
 */
export async function decodeImageMask(bytes: Uint8Array, channel: MaskChannel, opts: DecodeOptions): Promise<MaskTensor> {
  const index = { red: 0, green: 1, blue: 2, alpha: 3 }[channel];
  if (index === undefined) throw new TypeError(`decodeImageMask: channel must be alpha, red, green or blue, got ${JSON.stringify(channel)}`);
  const header = checkedHeader(bytes, opts, () => 1);
  const [f]: Frame[] = await decodeFrames(bytes, header, 1, opts.maxPixels);
  const n = f.width * f.height;
  const data = new Float32Array(n);
  if (index === 3) {
    if (f.alpha) await mapChunked(f.alpha, ONE_MINUS, data, 0);
    // no alpha: convert('RGBA') adds 255 everywhere, so 1 - 1 = 0 (H×W, not ComfyUI's 64×64 fallback)
  } else {
    await inSlices(n, (start, end) => {
      for (let i = start; i < end; i++) data[i] = UNIT[f.rgb[i * 3 + index]];
    });
  }
  return { shape: [1, f.height, f.width], data };
}

/** out[at + i] = lut[src[i]], in slices. */
function mapChunked(src: Uint8Array, lut: Float32Array, out: Float32Array, at: number): Promise<void> {
  return inSlices(src.length, (start, end) => {
    for (let i = start; i < end; i++) out[at + i] = lut[src[i]];
  });
}

function checkedHeader(bytes: Uint8Array, opts: DecodeOptions, framesToDecode: (h: ImageHeader) => number): ImageHeader {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decodeImage: bytes must be a Uint8Array (or Buffer)');
  if (!Number.isSafeInteger(opts.maxPixels) || opts.maxPixels <= 0) {
    throw new TypeError(`decodeImage: opts.maxPixels must be a positive integer, got ${String(opts.maxPixels)}`);
  }
  const header = inspectImage(bytes);
  if (header.truncated) throw new ImageDecodeError('corrupt', header.truncated);
  const frames = framesToDecode(header);
  const pixels = header.storedWidth * header.storedHeight * frames;
  if (pixels > opts.maxPixels) {
    const what = frames > 1 ? `${frames} frames of ${header.storedWidth}x${header.storedHeight}` : `${header.storedWidth}x${header.storedHeight}`;
    throw new ImageDecodeError(
      'too-large',
      `${header.probe.format.toUpperCase()} image too large: ${what} = ${pixels.toLocaleString('en-US')} pixels exceeds the limit of ${opts.maxPixels.toLocaleString('en-US')}`,
    );
  }
  return header;
}
