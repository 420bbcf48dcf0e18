import type { SocketType } from '@/nodes/types';

/** One colour per socket type, used by handles, edges and the palette alike (ComfyUI's hues where it has one). */
export const SOCKET_COLORS: Record<SocketType, string> = {
  MODEL: '#b39ddb',
  CLIP: '#ffd54f',
  VAE: '#ef5350',
  CONDITIONING: '#ffa726',
  LATENT: '#f06292',
  IMAGE: '#64b5f6',
  MASK: '#81c784',
  INT: '#4db6ac',
  FLOAT: '#aed581',
  STRING: '#90a4ae',
  BOOLEAN: '#ce93d8',
  COMBO: '#bcaaa4',
  SIGMAS: '#cdffcd',
  SAMPLER: '#ecb4b4',
  NOISE: '#b0b0b0',
  GUIDER: '#66ffff',
  UPSCALE_MODEL: '#4fc3f7',
  CONTROL_NET: '#00d78d',
  CLIP_VISION: '#a8dadc',
  CLIP_VISION_OUTPUT: '#ad7452',
  STYLE_MODEL: '#c2ffae',
  GLIGEN: '#8d6e63',
  '*': '#e0e0e0',
};
