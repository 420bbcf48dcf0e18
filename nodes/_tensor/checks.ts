/**
 * Checks the image, mask and latent nodes share: each names the node input at fault and what was expected, and the
 * size check runs before a tensor is allocated (the runtime's limit, server/runtime/image/limits.ts).
 */
import { NodeInputError } from '../invoke';
import { tensorSizeProblem } from '../../server/runtime/image/limits';
import type { FloatTensor, ImageValue, LatentValue, MaskValue } from '../../server/runtime/values';

export { NodeInputError };

/** Refuses, naming `input`, a tensor of `shape` that would exceed the runtime's limit. */
export function assertFits(input: string, shape: readonly number[], what: string): void {
  const problem = tensorSizeProblem(shape);
  if (problem) throw new NodeInputError(input, `${input}: ${what} ${problem}.`);
}

/** A LATENT's samples as [batch, channels, height, width]. */
export function latentDims(input: string, latent: LatentValue): { n: number; c: number; h: number; w: number } {
  const s = latent.samples.shape;
  if (s.length !== 4) throw new NodeInputError(input, `${input}: expected latent samples [batch, channels, height, width], got [${s.join(', ')}].`);
  return { n: s[0], c: s[1], h: s[2], w: s[3] };
}

/** An IMAGE's [batch, height, width, channels]. */
export function imageDims(input: string, image: ImageValue): { n: number; h: number; w: number; c: number } {
  const s = image.shape;
  if (s.length !== 4) throw new NodeInputError(input, `${input}: expected an image [batch, height, width, channels], got [${s.join(', ')}].`);
  return { n: s[0], h: s[1], w: s[2], c: s[3] };
}

/** A MASK as [batch, height, width] (ComfyUI's reshape((-1, H, W))); the data is shared. */
export function mask3d(mask: MaskValue): FloatTensor & { b: number; h: number; w: number } {
  const [h, w] = mask.shape.slice(-2);
  const b = h * w === 0 ? 0 : mask.data.length / (h * w);
  return { shape: [b, h, w], data: mask.data, b, h, w };
}

/** A copy of `latent` with new samples (ComfyUI's `s = samples.copy(); s["samples"] = …`). */
export const withSamples = (latent: LatentValue, samples: FloatTensor): LatentValue => ({ ...latent, samples });
