/**
 * Image codecs for LoadImage, LoadImageMask and uploads: header probing, and decoding that equals ComfyUI's
 * LoadImage / LoadImageMask (nodes.py at 3cd7b32f with Pillow 9.4, as the golden harness runs it) bit for bit.
 *
 * - sniffFormat(bytes): 'png' | 'jpeg' | 'webp' | 'gif' | null, from magic bytes.
 * - probeImage(bytes): ImageProbe | null, headers only (PNG chunk walk, JPEG markers to SOFn, RIFF chunks, GIF
 *   blocks): microseconds for JPEG/WebP/GIF, about 0.1 ms per 1,000 PNG chunks. readImageHeader throws the reason.
 * - decodeImage(bytes, { maxPixels }): async; refuses width × height × frames > maxPixels from the header before
 *   decoding. Pixel decoding (sharp/libvips) runs on the libuv pool; the per-pixel steps after it run in slices, so
 *   the event loop is held for a few ms at most. 2048² costs about 100-250 ms of wall time, 512² about 10-25 ms.
 * - decodeImageMask(bytes, channel, { maxPixels }): LoadImageMask, first frame only.
 * Errors: ImageDecodeError with code 'unknown-format' | 'corrupt' | 'too-large' | 'unsupported'.
 *
 * Deliberate divergences: truncated files are refused (ComfyUI retries with PIL's LOAD_TRUNCATED_IMAGES and pads);
 * formats other than PNG/APNG, JPEG, WebP and GIF are refused (PIL also opens BMP, TIFF, ...); 12-bit, lossless and
 * arithmetic-coded JPEGs are refused. 16-bit grey PNGs follow Pillow 9.4 (mode 'I', ComfyUI's 1/255 scaling);
 * newer Pillow releases open them as 'I;16', which skips that scaling in ComfyUI.
 */
export { sniffFormat, type ImageFormat } from './format';
export { probeImage, readImageHeader } from './probe';
export type { ImageProbe } from './header';
export { decodeImage, decodeImageMask, type DecodeOptions, type DecodedImage, type ImageTensor, type MaskTensor, type MaskChannel } from './decode';
export { ImageDecodeError, type ImageErrorCode } from './errors';
