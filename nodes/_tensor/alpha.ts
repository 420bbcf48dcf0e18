import type { ImageValue } from '../../server/runtime/values';
import { NodeInputError } from '../invoke';

/**
 * node_helpers.image_alpha_fix for two images on inputs named `dst` and `src`: an alpha channel the destination lacks
 * is dropped from the source. The other way round ComfyUI pads the destination to 5 channels and then fails; we
 * refuse it up front, saying which input has the alpha.
 */
export function alphaFix(destination: ImageValue, source: ImageValue, dst: string, src: string): [ImageValue, ImageValue] {
  const cd = destination.shape[3];
  const cs = source.shape[3];
  if (cd > cs)
    throw new NodeInputError(src, `${dst} has ${cd} channels and ${src} ${cs}: give ${src} the same channels (ComfyUI cannot combine these either).`);
  if (cd === cs) return [destination, source];
  const px = source.data.length / cs;
  const data = new Float32Array(px * cd);
  for (let i = 0; i < px; i++) for (let k = 0; k < cd; k++) data[i * cd + k] = source.data[i * cs + k];
  return [destination, { shape: [...source.shape.slice(0, 3), cd], data }];
}
