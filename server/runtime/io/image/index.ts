/** Image codecs for LoadImage, LoadImageMask and uploads: header probing and ComfyUI/PIL-exact decoding. */
export { sniffFormat, type ImageFormat } from './format';
export { probeImage, inspectImage } from './probe';
export type { ImageProbe } from './header';
export { decodeImage, decodeImageMask, type DecodeOptions, type DecodedImage, type ImageTensor, type MaskTensor, type MaskChannel } from './decode';
export { ImageDecodeError, type ImageErrorCode } from './errors';
