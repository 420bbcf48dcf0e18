/**
 * comfy_extras/nodes_latent.py reshape_latent_to: a latent brought to another's height and width (bilinear, centre
 * crop) and, optionally, batch size — how LatentAdd, LatentSubtract and LatentBatch line up their two inputs.
 */
import type { FloatTensor } from '../values';
import { repeatToBatchSize } from './batch';
import { commonUpscale } from './common-upscale';

export function reshapeLatentTo(target: readonly number[], latent: FloatTensor, repeatBatch = true): FloatTensor {
  let out = latent;
  if (latent.shape.slice(1).join(',') !== target.slice(1).join(',')) out = commonUpscale(latent, 'nchw', target[3], target[2], 'bilinear', 'center');
  return repeatBatch ? repeatToBatchSize(out, target[0]) : out;
}
