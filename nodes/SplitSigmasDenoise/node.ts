import { defineNode } from '../node';
import { sigmasValue } from '../../server/runtime/sampling/socket-values';
import { splitSigmasDenoise } from '../../server/runtime/sampling/custom-schedules';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => {
  const { high, low } = splitSigmasDenoise(inputs.sigmas.sigmas, params.denoise);
  return { high_sigmas: sigmasValue(high), low_sigmas: sigmasValue(low) };
});
