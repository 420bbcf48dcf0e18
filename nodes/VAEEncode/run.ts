import type { NodeRunner } from '../runner';
import { isFloatTensor } from '../values';
import { expectInput, isVaeHandle } from '../../server/runtime/pipeline/handles';
import { encodeImage } from '../../server/runtime/pipeline/vae';

export const run: NodeRunner = async (ctx) => {
  const pixels = expectInput('VAEEncode', 'pixels', ctx.inputs.pixels, isFloatTensor, 'an IMAGE');
  const vae = expectInput('VAEEncode', 'vae', ctx.inputs.vae, isVaeHandle, 'a VAE');
  return { latent: await encodeImage(ctx.models, vae, pixels) };
};
