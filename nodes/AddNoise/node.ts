import { defineNode } from '../node';
import { addNoise } from '../../server/runtime/sampling/add-noise';
import { checkSigmas } from '../_tensor/sigmas';
import { schema } from './schema';

export default defineNode(schema, async ({ inputs }) => {
  checkSigmas(inputs.sigmas.sigmas);
  return { LATENT: addNoise(inputs.model, inputs.noise, inputs.sigmas.sigmas, inputs.latent_image) };
});
