import { defineNode } from '../node';
import { manualSigmas } from '../../server/runtime/sampling/custom-schedules';
import { sigmasValue } from '../../server/runtime/sampling/socket-values';
import { NodeInputError } from '../invoke';
import { schema } from './schema';

export default defineNode(schema, async ({ params }) => {
  try {
    return { SIGMAS: sigmasValue(manualSigmas(params.sigmas)) };
  } catch (e) {
    throw new NodeInputError('sigmas', `sigmas: ${(e as Error).message} (expected numbers separated by commas).`);
  }
});
