/** Sampler previews as small PNG data URLs, so events carry them as plain strings. */
import type { ImageValue } from '../runtime/values';
import { encodePng } from '../../nodes/_io/png';

export function previewDataUrl(image: ImageValue): string {
  return `data:image/png;base64,${encodePng(image, 0).toString('base64')}`;
}
