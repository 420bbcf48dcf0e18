import { defineNode } from '../node';
import { sigmasValue } from '../../server/runtime/sampling/socket-values';
import { extendIntermediateSigmas } from '../../server/runtime/sampling/custom-schedules';
import { schema } from './schema';

export default defineNode(schema, async ({ params, inputs }) => ({
  SIGMAS: sigmasValue(extendIntermediateSigmas(inputs.sigmas.sigmas, params.steps, params.start_at_sigma, params.end_at_sigma, params.spacing)),
}));
