import { defineNode } from '../node';
import { sigmasValue } from '../../server/runtime/sampling/socket-values';
import { splitSigmas } from '../../server/runtime/sampling/custom-schedules';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => {
  const { high, low } = splitSigmas(inputs.sigmas.sigmas, params.step);
  return { high_sigmas: sigmasValue(high), low_sigmas: sigmasValue(low) };
});
