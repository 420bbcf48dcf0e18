/** What a header read tells: the public probe result, and the decode plan kept for decodeImage. */
import type { ImageFormat } from './format';

export interface ImageProbe {
  format: ImageFormat;
  /** Width and height of the decoded tensors: after EXIF orientation, as ComfyUI's LoadImage returns them. */
  width: number;
  height: number;
  /** Frames LoadImage returns as batch items (animated WebP/GIF/APNG > 1). */
  frames: number;
  /** LoadImage returns a real H×W mask (an alpha band, or palette transparency); else a 64×64 zero mask. */
  hasAlpha: boolean;
  /** EXIF orientation 1..8 (1 when absent); 2..8 are applied like PIL's ImageOps.exif_transpose. */
  orientation: number;
}

/**
 * How the stored samples become PIL's 8-bit RGB (its `convert("RGB")`):
 * - 'rgb8': 8-bit samples (grey replicated, palette expanded, 1/2/4-bit grey scaled to 0..255)
 * - 'high-byte16': 16-bit RGB/RGBA/LA, PIL keeps the high byte of each sample
 * - 'gray16-scaled': 16-bit grey, PIL mode 'I'; ComfyUI scales by 1/255 (truncating) and RGB clips to 255
 * - 'cmyk': 4-channel JPEG, PIL's naive CMYK->RGB
 */
export type SampleKind = 'rgb8' | 'high-byte16' | 'gray16-scaled' | 'cmyk';

/**
 * Where PIL's alpha comes from:
 * - 'band': an 'A' band (LA, RGBA, WebP with alpha): LoadImage's mask
 * - 'palette': mode 'P' with transparency: LoadImage's mask (via convert('RGBA'))
 * - 'colour-key': grey/RGB PNG with a tRNS key: ignored by LoadImage, used by LoadImageMask's convert('RGBA')
 * - 'none'
 */
export type AlphaKind = 'band' | 'palette' | 'colour-key' | 'none';

export interface ImageHeader {
  probe: ImageProbe;
  /** Size as stored, before orientation. */
  storedWidth: number;
  storedHeight: number;
  samples: SampleKind;
  alpha: AlphaKind;
  /** For 'colour-key': the key PIL compares RGB pixels with (low byte of each tRNS sample, as Pillow masks it). */
  colourKey?: readonly [number, number, number];
  /** GIF: the colour PIL leaves under fully transparent pixels (the transparent index's palette entry). */
  transparentRgb?: readonly [number, number, number];
  /** Set for animated files (frames as LoadImage iterates them). */
  animation?: { frames: number };
  /** Why the container is cut short or malformed past the header: probing still answers, decoding refuses. */
  truncated?: string;
}
