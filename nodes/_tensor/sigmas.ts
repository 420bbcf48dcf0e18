/** The SIGMAS check the sampling nodes share (ComfyUI would fail deep inside the sampler instead). */
import { NodeInputError } from '../invoke';

/** Every noise level finite and ≥ 0; an empty list is allowed (ComfyUI then returns the latent unchanged). */
export function checkSigmas(sigmas: Float32Array, input = 'sigmas'): void {
  const bad = sigmas.findIndex((s) => !Number.isFinite(s) || s < 0);
  if (bad >= 0) {
    throw new NodeInputError(input, `${input}: noise level ${bad} of ${sigmas.length} is ${sigmas[bad]}, expected finite values ≥ 0.`);
  }
}
