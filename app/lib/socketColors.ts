import type { SocketType } from '@/nodes/types';

/** One colour per socket type, used by handles, edges and the palette alike. */
export const SOCKET_COLORS: Record<SocketType, string> = {
  MODEL: '#b39ddb',
  CLIP: '#ffd54f',
  VAE: '#ef5350',
  CONDITIONING: '#ffa726',
  LATENT: '#f06292',
  IMAGE: '#64b5f6',
};
