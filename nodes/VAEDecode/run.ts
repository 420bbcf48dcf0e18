import type { NodeRunner } from '../runner';
import { isLatent } from '../values';
import { expectInput, isVaeHandle } from '../../server/runtime/pipeline/handles';
import { decodeLatent } from '../../server/runtime/pipeline/vae';

export const run: NodeRunner = async (ctx) => {
  const samples = expectInput('VAEDecode', 'samples', ctx.inputs.samples, isLatent, 'a LATENT');
  const vae = expectInput('VAEDecode', 'vae', ctx.inputs.vae, isVaeHandle, 'a VAE');
  return { image: await decodeLatent(ctx.models, vae, samples) };
};
